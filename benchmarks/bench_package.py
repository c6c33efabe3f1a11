"""The Lambda artifacts' sizes: build/lambda.zip (the function) and
build/aws-sdk-layer.zip (boto3/botocore), as `make package` builds them.

Keys: ``package_zip_mb`` (MiB, goal: at most 16 without slim_handler) and
``package_layer_mb``. Built with tools/package_lambda.py when missing (a few
minutes the first time) or older than requirements.lock or zappa_settings.json;
read as they are otherwise.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"


def run(bench) -> dict:
    function, layer = BUILD / "lambda.zip", BUILD / "aws-sdk-layer.zip"
    inputs = max((ROOT / name).stat().st_mtime for name in ("requirements.lock", "zappa_settings.json"))
    if not all(path.exists() and path.stat().st_mtime >= inputs for path in (function, layer)):
        subprocess.run(
            [sys.executable, "tools/package_lambda.py", "--project", ".", "--stage", "production", "--out", "build"],
            cwd=ROOT,
            check=True,
        )
    return {
        "package_zip_mb": round(function.stat().st_size / 2**20, 1),
        "package_layer_mb": round(layer.stat().st_size / 2**20, 1),
    }


if __name__ == "__main__":
    print(run(None))
