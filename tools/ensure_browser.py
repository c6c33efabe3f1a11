"""Find, or else install, the Chromium the browser tests drive (`make test` runs this).

Prints the browser's path on stdout (progress goes to stderr). In order: the
CHROMIUM_PATH the caller set; a Chromium on PATH (`chromium`, `chromium-browser`);
Playwright's own downloaded browser; `playwright install chromium`; the
distribution's `chromium` package when apt-get can run as root. Otherwise it
exits non-zero with one line saying what to install.
"""

import os
import shutil
import subprocess
import sys

MISSING = (
    "No Chromium for the browser tests: install your distribution's `chromium` package "
    "(Debian: `apt-get install chromium`), run `.venv/bin/playwright install chromium`, "
    "or set CHROMIUM_PATH to a Chromium binary."
)
# A blocked download network should fail in seconds, not after Playwright's
# default 30 s stall on each of its mirrors; a whole download gets a few minutes.
DOWNLOAD_STALL_MS = "10000"
INSTALL_TIMEOUT_SECONDS = 300


def runs(path: str) -> bool:
    """Whether the binary starts: a browser missing shared libraries fails right here."""
    try:
        result = subprocess.run([path, "--version"], capture_output=True, timeout=30)  # noqa: S603 (our own argv)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def playwright_chromium() -> str | None:
    """Playwright's downloaded Chromium, if it is there and starts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if os.path.exists(path) and runs(path) else None


def find_chromium() -> str | None:
    """A Chromium that is already on this machine, without installing anything."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path and runs(path):
            return path
    return playwright_chromium()


def install(command: list[str], **kwargs) -> bool:
    """Run an installer quietly; on failure say why in one line, not its whole log."""
    print(f"ensure_browser: {' '.join(command)}", file=sys.stderr)
    try:
        result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # noqa: S603 (fixed argv)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"ensure_browser: failed: {error}", file=sys.stderr)
        return False
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        print(f"ensure_browser: failed: {lines[0] if lines else result.returncode}", file=sys.stderr)
    return result.returncode == 0


def install_with_playwright() -> str | None:
    environment = {**os.environ, "PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT": DOWNLOAD_STALL_MS}
    command = [sys.executable, "-m", "playwright", "install", "chromium"]
    if install(command, env=environment, timeout=INSTALL_TIMEOUT_SECONDS):
        return playwright_chromium()
    return None


def install_with_apt() -> str | None:
    apt_get = shutil.which("apt-get")
    if not apt_get or os.geteuid() != 0:
        return None
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if install([apt_get, "update", "-qq"], env=environment) and install(
        [apt_get, "install", "-y", "-qq", "chromium"], env=environment
    ):
        return find_chromium()
    return None


def main() -> int:
    chosen = os.environ.get("CHROMIUM_PATH")
    if chosen:
        if runs(chosen):
            print(chosen)
            return 0
        print(f"CHROMIUM_PATH={chosen} does not start; unset it or point it at a Chromium binary.", file=sys.stderr)
        return 1
    path = find_chromium() or install_with_playwright() or install_with_apt()
    if not path:
        print(MISSING, file=sys.stderr)
        return 1
    print(f"ensure_browser: using {path}", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
