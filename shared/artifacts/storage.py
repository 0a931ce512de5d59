"""The artifacts bucket on S3 (moto in `make dev` and the tests): objects are put, handed out as short-lived
presigned GET URLs, and deleted; nothing in it is public."""

import base64
from urllib.parse import quote

from aws_lambda_powertools import Logger

from shared import aws
from shared.config import settings
from shared.errors import ServiceUnavailableError

logger = Logger(child=True)

DELETE_BATCH = 1000  # S3's DeleteObjects limit


class StorageError(Exception):
    """S3 refused or could not be reached; the message names the operation, never a credential."""


def bucket() -> str:
    if not settings.ARTIFACTS_BUCKET:
        raise StorageError("the artifacts bucket is not configured (ARTIFACTS_BUCKET)")
    return settings.ARTIFACTS_BUCKET


def put(key: str, content: bytes, *, mime_type: str, sha256: bytes) -> None:
    """Store an object; S3 checks it against its SHA-256 (a corrupted upload is refused)."""
    try:
        aws.client("s3").put_object(
            Bucket=bucket(),
            Key=key,
            Body=content,
            ContentType=mime_type,
            ChecksumSHA256=base64.b64encode(sha256).decode("ascii"),
        )
    except StorageError:
        raise
    except Exception as exc:  # botocore raises many types; all mean "not stored"
        logger.error("artifact not stored", extra={"error": type(exc).__name__})
        raise StorageError(f"the artifact could not be stored ({type(exc).__name__})") from exc


def presigned_get(key: str, *, filename: str, mime_type: str) -> str:
    """A GET URL for one object that S3 honours for ARTIFACT_URL_TTL_SECONDS, served as a download named
    `filename`."""
    disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    return str(
        aws.client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket(),
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": mime_type,
            },
            ExpiresIn=settings.ARTIFACT_URL_TTL_SECONDS,
        )
    )


def delete_many(keys: list[str]) -> None:
    """Delete objects (a missing one is no error); 503 when S3 refuses, so the caller keeps its rows."""
    if not keys:
        return
    try:
        client = aws.client("s3")
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            response = client.delete_objects(
                Bucket=bucket(), Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
            )
            if response.get("Errors"):
                raise StorageError(f"{len(response['Errors'])} artifacts could not be deleted")
    except Exception as exc:
        logger.error("artifacts not deleted", extra={"error": type(exc).__name__, "count": len(keys)})
        raise ServiceUnavailableError("The run's artifacts could not be deleted; try again shortly") from exc
