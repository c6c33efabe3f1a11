"""Build the Lambda artifacts `zappa deploy` would upload, lean and reproducible.

    python tools/package_lambda.py --project . --stage production --out build

writes ``<out>/lambda.zip`` (the function) and ``<out>/aws-sdk-layer.zip``
(a Lambda layer with boto3, botocore and what they need, under ``python/``).

1. A virtualenv OUTSIDE the project (``$PACKAGE_VENV_DIR``, default
   ``~/.cache/zappa-package-venvs/<hash of the lock and the interpreter>``),
   made once per lock with ``pip install --require-hashes --no-deps
   --only-binary=:all: -r <lock>``: every file comes from the lock, and a venv
   inside the project would be copied into the package (and Zappa's websocket
   detection would find Zappa's own sources in it).
2. ``zappa package <stage>`` in the project with that venv; its whole output is
   printed, and a warning line fails the build (fix the cause; see docs/deploy.md).
   The stage's ``exclude``/``exclude_glob`` do the trimming (the AWS SDK, Zappa's
   CLI-only dependencies, other languages' locales, the Swagger UI's files).
3. What Zappa cannot do, done here: bytecode for the runtime's Python
   (``compileall --invalidation-mode unchecked-hash``; Lambda's /var/task and
   /opt are read-only, so nothing would be cached at a cold start), a
   deterministic ``package_info.json``, and a deterministic zip (sorted entries,
   fixed timestamps and permissions): the same commit and lock give the same bytes.
4. The layer: the distributions boto3 needs (from the same venv, so pinned by
   the same lock), none of which may be in the function zip.

Linux x86_64 only (the wheels installed are the ones Lambda's x86_64 runs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LAYER_ROOT = "boto3"  # the layer holds boto3 and every distribution it needs
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say; every entry gets it
FILE_MODE = 0o100644  # a regular file, readable by Lambda's sandbox user
# Files Zappa's package must hold at its root.
REQUIRED_AT_ROOT = ("handler.py", "zappa_settings.py", "django_zappa_app.py")
# Installed from its source distribution (it has no wheel): Zappa declares it
# and never imports it, and the stage's exclude keeps it out of the package.
SOURCE_ONLY = ("placebo",)

# The venv's own interpreter answers these (its packages, not ours).
LAYER_DISTRIBUTIONS = """
import json, sys
from importlib.metadata import distribution
from packaging.requirements import Requirement

todo, found = [sys.argv[1]], {}
while todo:
    dist = distribution(todo.pop())
    name = dist.metadata["Name"].lower().replace("_", "-")
    if name in found:
        continue
    found[name] = [str(path) for path in dist.files if not str(path).startswith("..")]
    for line in dist.requires or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            todo.append(requirement.name)
print(json.dumps(found))
"""


def log(message: str) -> None:
    print(f"package: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    sys.exit(f"package: {message}")


def stage_settings(project: Path, stage: str) -> dict:
    """The stage as Zappa reads it: ``extends`` is a shallow merge."""
    settings = json.loads((project / "zappa_settings.json").read_text())
    if stage not in settings:
        fail(f"no stage {stage!r} in {project / 'zappa_settings.json'}")
    own = settings[stage]
    base = stage_settings(project, own["extends"]) if "extends" in own else {}
    return {**base, **own}


def check_interpreter(python: str, runtime: str) -> None:
    version = subprocess.run(
        [python, "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if version != runtime:
        fail(f"{python} is {version}, the stage's runtime is {runtime}: bytecode must match the runtime")
    if sys.platform != "linux" or platform.machine() != "x86_64":
        fail("build on Linux x86_64 (the wheels installed are the ones Lambda's x86_64 runs)")


def venv_root(project: Path) -> Path:
    root = Path(
        os.environ.get("PACKAGE_VENV_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zappa-package-venvs"
    ).resolve()
    if root.is_relative_to(project):
        fail(f"the package virtualenv must be outside the project ({root} is in {project})")
    return root


def ensure_venv(project: Path, lock: Path, python: str) -> Path:
    """The venv holding exactly the lock, made once per lock and interpreter."""
    interpreter = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], check=True, capture_output=True, text=True
    ).stdout
    key = hashlib.sha256(lock.read_bytes() + interpreter.encode()).hexdigest()[:16]
    venv = venv_root(project) / f"{project.name}-{key}"
    marker = venv / ".complete"
    if marker.exists():
        log(f"virtualenv {venv} (reused: same lock)")
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    log(f"virtualenv {venv} from {lock.name}")
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--quiet", "--require-hashes", "--no-deps", "--no-compile", "--only-binary=:all:"]
        + [f"--no-binary={name}" for name in SOURCE_ONLY]
        + ["-r", str(lock)],
        check=True,
    )
    # --no-deps installs the lock alone: a dependency it lacks shows here.
    subprocess.run([*pip, "check"], check=True)
    marker.write_text(lock.name + "\n")
    return venv


def zappa_package(project: Path, venv: Path, stage: str, output: Path) -> None:
    """`zappa package`, run as the venv's own, every line of its output shown."""
    environment = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    command = [str(venv / "bin" / "zappa"), "package", stage, "-o", str(output), "--disable_progress"]
    log(" ".join(["zappa", *command[1:]]))
    result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    lines = (result.stdout + result.stderr).splitlines()
    for line in lines:
        print(f"  zappa| {line}", file=sys.stderr)
    if result.returncode != 0:
        fail(f"zappa package failed ({result.returncode})")
    warnings = [line for line in lines if "warning" in line.lower()]
    if warnings:
        fail(f"zappa printed {len(warnings)} warning(s); fix their cause:\n" + "\n".join(warnings))


def compile_bytecode(python: Path, directory: Path, runtime_path: str, keep_sources: set[str]) -> None:
    """Bytecode for the runtime's Python, naming the paths modules have on Lambda.

    The top-level names in ``keep_sources`` (the project's own code) keep their
    .py with a ``__pycache__`` .pyc beside it, valid whatever the files' times
    (unchecked-hash). Everything else (the libraries) becomes sourceless: the
    .pyc takes the .py's place, which halves what the libraries cost in the zip.
    """
    modules = [
        path for path in directory.iterdir() if path.suffix == ".py" or path.is_dir() and path.suffix != ".dist-info"
    ]
    own = sorted(str(path) for path in modules if path.name in keep_sources)
    libraries = sorted(str(path) for path in modules if path.name not in keep_sources)
    # The header holds the source's hash, not its time: the same bytes from every build.
    command = [str(python), "-m", "compileall", "-q", "-j1", "--invalidation-mode", "unchecked-hash"]
    command += ["-s", str(directory), "-p", runtime_path]
    # Sets and frozensets in constants are written in hash order: fix it.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    # One process per top-level entry, files in sorted order: marshal marks an
    # object shared by its reference count, which depends on what the process
    # compiled before, so `compileall -j0` (files spread over workers as they
    # come free) gives different bytes from run to run.
    jobs = [[*command, path] for path in own] + [[*command, "-b", path] for path in libraries]
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        for result in pool.map(lambda job: subprocess.run(job, env=environment, capture_output=True, text=True), jobs):
            if result.returncode != 0:
                fail(f"compileall failed: {result.args[-1]}\n{result.stdout}{result.stderr}")
    for path in libraries:
        for source in Path(path).rglob("*.py") if Path(path).is_dir() else [Path(path)]:
            if source.suffix == ".py" and source.with_suffix(".pyc").is_file():
                source.unlink()


def write_zip(directory: Path, target: Path) -> None:
    """A zip of ``directory`` whose bytes depend on the files' contents only."""
    paths = sorted(path for path in directory.rglob("*") if path.is_file())
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in paths:
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=ZIP_DATE)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(target)


def build_time(project: Path) -> int:
    """SOURCE_DATE_EPOCH, else the time of the project's last commit, else 0."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project, capture_output=True, text=True)
    return int(result.stdout.strip() or 0) if result.returncode == 0 else 0


def tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(path for path in directory.rglob("*") if path.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_function(project: Path, stage: dict, zappa_zip: Path, work: Path, venv: Path, layer_files: set[str]) -> Path:
    function = work / "function"
    with zipfile.ZipFile(zappa_zip) as archive:
        archive.extractall(function)
    for name in REQUIRED_AT_ROOT:
        if not (function / name).is_file():
            fail(f"{name} is not at the package's root")
    generated = (function / "zappa_settings.py").read_text()
    if "WEBSOCKET_HANDLER_MODULE" in generated and not stage.get("websocket_handler_module"):
        fail("Zappa found a websocket handler module in the project (a virtualenv or unpacked package in it?)")
    leaked = sorted(path for path in layer_files if (function / path).exists())
    if leaked:
        fail(f"the function zip holds the layer's files (add them to the stage's exclude): {leaked[:5]}")
    # Zappa writes a random uuid, the time and the user: made from the content instead.
    info = function / "package_info.json"
    info.unlink()
    info.write_text(
        json.dumps(
            {
                "uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, tree_digest(function))),
                "build_time": str(build_time(project)),
                "build_platform": "linux",
                "build_user": "package_lambda",
            },
            indent=4,
        )
    )
    own_code = {path.name for path in project.iterdir()} | set(REQUIRED_AT_ROOT)
    compile_bytecode(venv / "bin" / "python", function, "/var/task", keep_sources=own_code)
    return function


def build_layer(venv: Path, work: Path, distributions: dict[str, list[str]]) -> Path:
    site_packages = next((venv / "lib").glob("python3.*/site-packages"))
    layer = work / "layer" / "python"
    for files in distributions.values():
        for name in files:
            # RECORD is not read at run time, and it holds the hashes of the venv's
            # scripts, whose first line names the venv: as the function's exclude does.
            if "__pycache__" in name or name.endswith(".dist-info/RECORD"):
                continue
            source = site_packages / name
            if source.is_file():
                (layer / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, layer / name)
    compile_bytecode(venv / "bin" / "python", layer, "/opt/python", keep_sources=set())
    return layer.parent


def breakdown(target: Path, top: int = 12) -> str:
    """The zip's compressed size per top-level entry (MiB), largest first."""
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(target) as archive:
        for info in archive.infolist():
            key = info.filename.split("/")[0]
            sizes[key] = sizes.get(key, 0) + info.compress_size
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:top]
    return "\n".join(f"    {size / 2**20:5.2f}  {name}" for name, size in largest)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path("."), help="the Zappa project (zappa_settings.json)")
    parser.add_argument("--stage", default="production")
    parser.add_argument("--lock", type=Path, help="default: <project>/requirements.lock")
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the runtime's version")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    project = args.project.resolve()
    lock = (args.lock or project / "requirements.lock").resolve()
    out = args.out.resolve()
    stage = stage_settings(project, args.stage)
    if stage.get("slim_handler"):
        fail("slim_handler is on: this builds the single zip")
    check_interpreter(args.python, stage.get("runtime", "python3.12"))
    venv = ensure_venv(project, lock, args.python)
    distributions = json.loads(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", LAYER_DISTRIBUTIONS, LAYER_ROOT],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    layer_files = {
        name
        for files in distributions.values()
        for name in files
        if ".dist-info/" not in name and "__pycache__" not in name
    }

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="package-lambda-") as temporary:
        work = Path(temporary)
        zappa_zip = work / "zappa.zip"
        zappa_package(project, venv, args.stage, zappa_zip)
        log(f"zappa package: {time.perf_counter() - started:.0f} s")
        function = build_function(project, stage, zappa_zip, work, venv, layer_files)
        write_zip(function, out / "lambda.zip")
        log(f"function bytecode and zip: {time.perf_counter() - started:.0f} s")
        write_zip(build_layer(venv, work, distributions), out / "aws-sdk-layer.zip")

    for name in ("lambda.zip", "aws-sdk-layer.zip"):
        target = out / name
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        log(f"{target}: {target.stat().st_size / 2**20:.1f} MiB, sha256 {digest}")
        print(breakdown(target), file=sys.stderr)
    log(f"layer: {', '.join(sorted(distributions))}")
    log(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
