"""`make layers`: build the deps, common and embedding layers for python3.12 on arm64 without Docker,
print their unzipped sizes and each function's total, and fail past Lambda's 250 MB limit.
`make package` (`--zip`) also writes deployable zips to dist/.

    python layers/build.py [--zip]
"""

import argparse
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
DIST = ROOT / "dist"
# Lambda's python3.12 runtime is Amazon Linux 2023 (glibc 2.34): any manylinux wheel up to 2_34 runs.
PLATFORM = [
    *(
        arg
        for tag in ("2014", "_2_27", "_2_28", "_2_34")
        for arg in ("--platform", f"manylinux{tag}_aarch64")
    ),
    "--implementation",
    "cp",
    "--python-version",
    "3.12",
    "--only-binary=:all:",
]
LAMBDA_LIMIT_MB = 250
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")  # the python3.12 runtime ships them


def step(message: str) -> None:
    print(f"[layers] {message}", flush=True)


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def pip_target(target: Path, requirements: list[str], *options: str, fresh: bool = True) -> None:
    if fresh:
        shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603  (our own interpreter, our own requirement list)
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            *PLATFORM,
            "--target",
            str(target),
            *options,
            *requirements,
        ],
        check=True,
    )
    for name in RUNTIME_PROVIDED:
        for path in target.glob(f"{name}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def build_deps() -> Path:
    requirements = [r for r in project()["dependencies"] if not r.startswith("boto3")]
    target = LAYERS / "deps" / "build" / "python"
    step(f"deps: {len(requirements)} requirements for python3.12 arm64 ...")
    pip_target(target, requirements)
    return target.parent


def build_common() -> Path:
    target = LAYERS / "common" / "build" / "python" / "shared"
    shutil.rmtree(target.parent, ignore_errors=True)
    step("common: the shared package ...")
    shutil.copytree(ROOT / "shared", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target.parent.parent


# Parts of the embedding wheels that inference never loads (checked by `python -X importtime` and by
# running the model without them): onnxruntime's C-API library (its Python binding links the runtime
# statically), its offline tooling (model conversion, quantisation, benchmarks), and numpy's own tests.
INFERENCE_UNUSED = (
    "onnxruntime/capi/libonnxruntime.so*",
    "onnxruntime/transformers",
    "onnxruntime/quantization",
    "onnxruntime/tools",
    "onnxruntime/datasets",
    "numpy/tests",
    "numpy/*/tests",
)


def prune_for_inference(target: Path) -> None:
    freed = 0.0
    for pattern in INFERENCE_UNUSED:
        for path in target.glob(pattern):
            freed += size_mb(path) if path.is_dir() else path.stat().st_size / 1e6
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    step(f"embedding: pruned {freed:.1f} MB that inference never loads")


def build_embedding() -> Path:
    target = LAYERS / "embedding" / "build" / "python"
    step("embedding: onnxruntime, tokenizers, numpy for arm64, and the exported model ...")
    wanted = project()["optional-dependencies"]["embedding"]
    runtime = [r for r in wanted if not r.startswith("tokenizers")]
    pip_target(target, runtime)
    # tokenizers' own dependencies (huggingface_hub, hf_xet, ...) serve downloads we never make
    pip_target(target, [r for r in wanted if r.startswith("tokenizers")], "--no-deps", fresh=False)
    prune_for_inference(target)
    deps = LAYERS / "deps" / "build" / "python"
    for entry in list(target.iterdir()):
        if (deps / entry.name).exists():  # numpy and friends already come with the deps layer (pgvector)
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    model = ROOT / "layers" / "embedding" / "model"
    if not (model / "manifest.json").exists():
        raise SystemExit("no exported model: run `make model` first")
    shutil.copytree(model, target.parent / "model", dirs_exist_ok=True)  # /opt/model in Lambda
    return target.parent


def zip_directory(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(source))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", action="store_true", help="also write deployable zips to dist/")
    args = parser.parse_args()
    built = {"DepsLayer": build_deps(), "CommonLayer": build_common(), "EmbeddingLayer": build_embedding()}
    sizes = {name: size_mb(path) for name, path in built.items()}
    print("\n| layer | unzipped MB |\n|---|---|")
    for name, mb in sizes.items():
        print(f"| {name} | {mb:.1f} |")

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    resources = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)["Resources"]  # noqa: S506
    too_big = []
    print("\n| function | layers | unzipped MB (code + layers) | limit 250 MB |\n|---|---|---|---|")
    for name, resource in sorted(resources.items()):
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        code = ROOT / resource["Properties"]["CodeUri"]
        layers = ["DepsLayer", "CommonLayer"] + (
            ["EmbeddingLayer"] if "Layers" in resource["Properties"] else []
        )
        total = size_mb(code) + sum(sizes[layer] for layer in layers)
        fits = total <= LAMBDA_LIMIT_MB
        too_big += [] if fits else [name]
        print(f"| {name} | {', '.join(layers)} | {total:.1f} | {'ok' if fits else 'TOO BIG'} |")
        if args.zip:
            zip_directory(code, DIST / "functions" / f"{name}.zip")
    if args.zip:
        for name, path in built.items():
            zip_directory(path, DIST / "layers" / f"{name}.zip")
        step(f"zips in {DIST}")
    if too_big:
        step(f"FAILED: over Lambda's {LAMBDA_LIMIT_MB} MB unzipped limit: {', '.join(too_big)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
