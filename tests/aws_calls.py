"""Which AWS SDK operations the application's code makes, read from its source.

moto does not enforce IAM, so a call the functions' role may not make passes
every test against moto and fails only in AWS (as ``sns:CheckIfPhoneNumberIsOptedOut``
did). ``sdk_calls()`` reads every module of the project's apps and lists the
``(service, Operation)`` pairs they call, following the ways the code reaches a
client: ``boto3.client("lambda").invoke(...)``, a factory such as
``s3_client().get_object(...)`` or ``client(service, profile)``, a name bound to
one, and a dispatcher that takes the service and the operation as strings
(``self._call("sns", "publish", ...)``). A use it cannot follow is reported,
never skipped (tests/test_aws_permissions.py fails on it).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "config", "imports", "notifications", "offices", "shipments")

# boto3 adds these to the S3 client (s3transfer): the API operations each one makes.
# https://boto3.amazonaws.com/v1/documentation/api/latest/guide/s3-uploading-files.html
S3_TRANSFER = {
    "upload_fileobj": ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
                       "AbortMultipartUpload"),
    "upload_file": ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
                    "AbortMultipartUpload"),
    "download_fileobj": ("HeadObject", "GetObject"),
    "download_file": ("HeadObject", "GetObject"),
    "copy": ("HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload",
             "AbortMultipartUpload"),
}  # fmt: skip


@dataclass
class Scan:
    calls: set[tuple[str, str]] = field(default_factory=set)
    # Where each call is made (file:line), for the test's messages.
    where: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, service: str, method: str, place: str) -> None:
        for operation in operations_of(service, method, self.problems, place):
            self.calls.add((service, operation))
            self.where.setdefault((service, operation), set()).add(place)


@cache
def _operation_names(service: str) -> dict[str, str]:
    """The client's method names and the API operations they call (botocore's model)."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def operations_of(service: str, method: str, problems: list[str], place: str) -> tuple[str, ...]:
    if service == "s3" and method in S3_TRANSFER:
        return S3_TRANSFER[method]
    try:
        names = _operation_names(service)
    except Exception:  # botocore's UnknownServiceError
        problems.append(f"{place}: {service!r} is not an AWS service botocore knows")
        return ()
    if method not in names:
        problems.append(f"{place}: the {service} client has no operation {method}()")
        return ()
    return (names[method],)


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def _is_boto3_client(node: ast.AST) -> bool:
    """``boto3.client(...)``, ``boto3.session.Session().client(...)`` and the like."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("client", "resource")
        and _root_name(node.func) == "boto3"
    )


def _called_name(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def _parameters(function: ast.FunctionDef) -> list[str]:
    names = [argument.arg for argument in function.args.posonlyargs + function.args.args]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _modules() -> list[tuple[str, ast.Module]]:
    modules = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                modules.append((str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))))
    return modules


def _functions(tree: ast.AST):
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def _own_nodes(scope: ast.AST):
    """The nodes of a module or function, not those of the functions inside it."""
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def sdk_calls() -> Scan:
    scan = Scan()
    modules = _modules()
    # 1. Client factories: functions that return a boto3 client, with the service a
    #    literal or one of their parameters.
    factories: dict[str, str | int] = {}
    inside_factories: set[int] = set()
    for name, tree in modules:
        for function in _functions(tree):
            for node in ast.walk(function):
                if not _is_boto3_client(node):
                    continue
                place = f"{name}:{node.lineno}"
                if node.func.attr == "resource":
                    scan.problems.append(f"{place}: boto3 resources are not followed; use a client")
                    continue
                service = node.args[0] if node.args else None
                returned = any(isinstance(other, ast.Return) and other.value is node for other in ast.walk(function))
                if not returned:
                    continue
                if isinstance(service, ast.Constant) and isinstance(service.value, str):
                    factories[function.name] = service.value
                elif isinstance(service, ast.Name) and service.id in _parameters(function):
                    factories[function.name] = _parameters(function).index(service.id)
                else:
                    scan.problems.append(f"{place}: cannot tell which service {function.name}() makes a client for")
                    continue
                inside_factories.add(id(node))

    def service_of(node: ast.AST, bound: dict[str, str]) -> str | None:
        """The service of a client expression (a literal service, or a parameter's name as '$name')."""
        if _is_boto3_client(node) and node.args and isinstance(node.args[0], ast.Constant):
            return node.args[0].value
        if isinstance(node, ast.Call) and _called_name(node) in factories:
            made = factories[_called_name(node)]
            if isinstance(made, str):
                return made
            argument = node.args[made] if len(node.args) > made else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                return argument.value
            if isinstance(argument, ast.Name):
                return f"${argument.id}"
            return None
        if isinstance(node, ast.Name) and node.id in bound:
            return bound[node.id]
        return None

    # 2. Calls on a client, and dispatchers (getattr(client(service), operation)).
    dispatchers: dict[str, tuple[int, int]] = {}
    followed: set[int] = set(inside_factories)
    for name, tree in modules:
        for function in [tree, *_functions(tree)]:
            parameters = _parameters(function) if not isinstance(function, ast.Module) else []
            bound: dict[str, str] = {}
            for node in _own_nodes(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    service = service_of(node.value, bound)
                    if service is not None:
                        bound[node.targets[0].id] = service
                        followed.add(id(node.value))
            for node in _own_nodes(function):
                if not isinstance(node, ast.Call):
                    continue
                place = f"{name}:{node.lineno}"
                if isinstance(node.func, ast.Attribute):
                    service = service_of(node.func.value, bound)
                    if service is not None:
                        followed.add(id(node.func.value))
                        if service.startswith("$"):
                            scan.problems.append(f"{place}: cannot tell which service {node.func.attr}() is called on")
                        else:
                            scan.add(service, node.func.attr, place)
                elif _called_name(node) == "getattr" and len(node.args) >= 2:
                    service = service_of(node.args[0], bound)
                    if service is None:
                        continue
                    followed.add(id(node.args[0]))
                    operation = node.args[1]
                    if isinstance(operation, ast.Constant) and not service.startswith("$"):
                        scan.add(service, operation.value, place)
                    elif (
                        isinstance(operation, ast.Name)
                        and operation.id in parameters
                        and service.startswith("$")
                        and service[1:] in parameters
                    ):
                        dispatchers[function.name] = (parameters.index(service[1:]), parameters.index(operation.id))
                    else:
                        scan.problems.append(f"{place}: cannot tell which operation getattr() calls")
    # 3. The dispatchers' callers, with the service and operation as literals.
    for name, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in dispatchers:
                service_at, operation_at = dispatchers[_called_name(node)]
                arguments = node.args
                place = f"{name}:{node.lineno}"
                if len(arguments) > max(service_at, operation_at) and all(
                    isinstance(arguments[at], ast.Constant) for at in (service_at, operation_at)
                ):
                    scan.add(arguments[service_at].value, arguments[operation_at].value, place)
                else:
                    scan.problems.append(f"{place}: {_called_name(node)}() without a literal service and operation")
    # 4. Every client made is followed to its calls.
    for name, tree in modules:
        for node in ast.walk(tree):
            made = _is_boto3_client(node) or (isinstance(node, ast.Call) and _called_name(node) in factories)
            if made and id(node) not in followed:
                scan.problems.append(f"{name}:{node.lineno}: a client used in a way this scan does not follow")
    return scan
