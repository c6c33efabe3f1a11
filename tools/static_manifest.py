"""Write production's static files manifest, config/staticfiles.json (`make static-manifest`).

Production serves static files from S3 under content-hashed names. The manifest
that maps ``admin/css/base.css`` to ``admin/css/base.<hash>.css`` ships in the
Lambda package, so a page never fetches it from the bucket at a cold start.
``make collectstatic`` uploads the files under the same names (the hashes come
from the files' contents, the same on every machine with the same pins).

Run it after changing a static file or a package that ships some (Django, DRF,
the Swagger UI); a test fails while the committed manifest is stale.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_manifest(manifest_dir: Path) -> Path:
    """Collect every static file into a scratch folder, hashing names; the manifest goes to ``manifest_dir``."""
    from django.core.files.storage import FileSystemStorage
    from django.core.management import call_command
    from django.test import override_settings

    storage = {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "OPTIONS": {"manifest_storage": FileSystemStorage(location=manifest_dir)},
    }
    with tempfile.TemporaryDirectory() as scratch:
        from django.conf import settings

        with override_settings(STATIC_ROOT=scratch, STORAGES={**settings.STORAGES, "staticfiles": storage}):
            call_command("collectstatic", interactive=False, verbosity=0)
    return manifest_dir / "staticfiles.json"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1/unused")  # no database is opened
    import django
    from django.conf import settings

    django.setup()
    path = write_manifest(Path(settings.STATIC_MANIFEST_DIR))
    print(f"{path.relative_to(ROOT)}: written")


if __name__ == "__main__":
    main()
