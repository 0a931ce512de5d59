"""`make deploy` and `make destroy`: the data tier (infra/aws/data.yaml) and the application (template.yaml)
from an empty AWS account, the migrations, and the production settings still missing (docs/deploy.md).

Every AWS call goes through `aws.Aws` and every external command through `runner`, so a dry run and the
tests exercise the same code without an account."""
