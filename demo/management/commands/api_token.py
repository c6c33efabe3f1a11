"""`make api-token USER=clerk.nyc01`: a bearer token for the REST API of `make run`.

Signs the back-office user in to the local Cognito that `make run` serves
(tools/local_cognito.py; the local settings point the API's token check at it)
and prints the access token alone on stdout, for `TOKEN=$(make api-token ...)`.
Local settings only (the demo app).
"""

import contextlib
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from offices import access

NOT_RUNNING = (
    "The local Cognito is not running: start `make run` (it serves one beside the back-office), "
    "then run this again in another terminal."
)


class Command(BaseCommand):
    help = (
        "Print a Cognito access token for a back-office user (e.g. clerk.nyc01), from the local Cognito "
        "that `make run` serves; the API of `make run` accepts it for an hour."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="a back-office user, e.g. clerk.nyc01, manager.nyc01 or hq")
        parser.add_argument("--id-token", action="store_true", help="print the ID token instead")

    def handle(self, *args, username: str, id_token: bool, **options):
        endpoint = getattr(settings, "LOCAL_COGNITO_ENDPOINT", "")
        if not endpoint:
            raise CommandError(NOT_RUNNING)
        user = access.user_for_sign_in(username)
        if user is None or not user.is_active:
            raise CommandError(
                f"There is no active back-office user “{username}”: the demo's are hq, clerk.<office> and "
                "manager.<office> (clerk.nyc01, ...), or add one with `manage.py add_clerk`."
            )
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        cognito = boto3.client(
            "cognito-idp",
            region_name=settings.COGNITO_REGION,
            endpoint_url=endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 (moto checks nothing; no real credential is used)
        )
        # A fresh password every time: nothing to remember, and the pool is the laptop's own.
        password = f"Local-{secrets.token_urlsafe(12)}-1a"
        pool = settings.COGNITO_USER_POOL_ID
        try:
            with contextlib.suppress(cognito.exceptions.UsernameExistsException):
                cognito.admin_create_user(UserPoolId=pool, Username=user.username, MessageAction="SUPPRESS")
            cognito.admin_set_user_password(UserPoolId=pool, Username=user.username, Password=password, Permanent=True)
            result = cognito.initiate_auth(
                ClientId=settings.COGNITO_APP_CLIENT_ID,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": user.username, "PASSWORD": password},
            )["AuthenticationResult"]
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"{NOT_RUNNING} ({error})") from None
        self.stderr.write(
            f"{'ID' if id_token else 'Access'} token for {user.username}, valid {result['ExpiresIn'] // 60} minutes:"
        )
        self.stdout.write(result["IdToken" if id_token else "AccessToken"])
