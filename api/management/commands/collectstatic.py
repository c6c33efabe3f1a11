"""Django's collectstatic, refused inside the Lambda function.

The function's package holds only the manifest of the static files
(config/staticfiles.json), not the files: `zappa manage production
"collectstatic --noinput"` would upload the few it finds and write a manifest of
just those over the packaged one, and every admin page would then fail with
"Missing staticfiles manifest entry". The files are uploaded from a checkout
with `make collectstatic BUCKET=...`, which runs this same command outside Lambda.
"""

import os

from django.contrib.staticfiles.management.commands import collectstatic
from django.core.management.base import CommandError

REFUSAL = (
    "collectstatic does not run in the Lambda function: its package holds the static files' manifest "
    "but not the files, and would overwrite the manifest with the few it has. Upload them from a checkout "
    "instead: make collectstatic BUCKET=<the stage's static bucket> (README, Deployment)."
)


def running_in_lambda() -> bool:
    # Set by the Lambda runtime in every function's environment, never on a laptop or in CI.
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class Command(collectstatic.Command):
    help = collectstatic.Command.help + " Refused inside the Lambda function: use `make collectstatic` instead."

    def handle(self, **options):
        if running_in_lambda():
            raise CommandError(REFUSAL)
        return super().handle(**options)
