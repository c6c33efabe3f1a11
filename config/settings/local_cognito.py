"""Where `make run`'s local Cognito is, for the local settings and `make api-token`.

`make run` serves moto's Cognito beside the development server
(tools/local_cognito.py): a user pool and an app client whose ids it writes to
``.data/local-cognito.json`` once they answer, and removes when it stops. The
local settings point the API's token check at it, so a token printed by
`make api-token USER=clerk.nyc01` signs in to the API of `make run`.
"""

import json
from pathlib import Path

# parents[2]: the repository root (this file is config/settings/local_cognito.py).
STATE_FILE = Path(__file__).resolve().parents[2] / ".data" / "local-cognito.json"
DEFAULT_PORT = 8001
REGION = "us-east-1"


def local_cognito_settings(state_file: Path | None = None) -> dict[str, str]:
    """The COGNITO_* settings of the running local Cognito (and its endpoint,
    LOCAL_COGNITO_ENDPOINT), or nothing when none runs."""
    try:
        state = json.loads((state_file or STATE_FILE).read_text())
        endpoint, pool_id, client_id = state["endpoint"], state["pool_id"], state["client_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {
        "COGNITO_USER_POOL_ID": pool_id,
        "COGNITO_APP_CLIENT_ID": client_id,
        "COGNITO_REGION": state.get("region", REGION),
        "COGNITO_JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        "LOCAL_COGNITO_ENDPOINT": endpoint,
    }
