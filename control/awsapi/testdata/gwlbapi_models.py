"""Shared by the botocore and boto3 checks of gwlbctl's AWS API.

The service models are Debian's python3-botocore's, plus the operations,
shapes and members of control/awsapi/internal/modelgen/supplement that this
botocore predates (botocore's own definitions always win)."""

import json
import os

import botocore.loaders
import botocore.model
import botocore.parsers
import botocore.validate

SERVICES = ("elbv2", "ec2")


def merged_model(service, supplement_dir):
    """The botocore service-2 model of service with the supplement added."""
    m = botocore.loaders.Loader().load_service_model(service, "service-2")
    path = os.path.join(supplement_dir, "%s-%s.json" % (service, m["metadata"]["apiVersion"]))
    if os.path.exists(path):
        with open(path) as f:
            sup = json.load(f)
        for section in ("operations", "shapes"):
            for k, v in sup.get(section, {}).items():
                m[section].setdefault(k, v)
        for shape, members in sup.get("members", {}).items():
            for k, v in members.items():
                m["shapes"][shape]["members"].setdefault(k, v)
    return m


def write_data_path(supplement_dir, root):
    """Writes the merged models under root, laid out as an AWS_DATA_PATH."""
    for service in SERVICES:
        m = merged_model(service, supplement_dir)
        d = os.path.join(root, service, m["metadata"]["apiVersion"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "service-2.json"), "w") as f:
            json.dump(m, f)


# Length and range constraints are the model's rules for requests: AWS's
# own responses do not keep them (an ELBv2 DescribeTags of an untagged
# resource has an empty Tags list, whose shape has min 1).
REQUEST_ONLY = ("invalid length", "invalid range")


def output_problems(operation_model, parsed):
    """Validates a parsed response against the operation's output shape
    with botocore's own validator: required members, member names and
    types (not the request-only length and range constraints). Returns a
    list of problems (empty: valid)."""
    parsed = dict(parsed)
    meta = parsed.pop("ResponseMetadata", {})
    problems = []
    if not meta.get("RequestId"):
        problems.append("no request id in the response")
    shape = operation_model.output_shape
    if shape is None:
        if parsed:
            problems.append("members %s for an operation without output" % sorted(parsed))
        return problems
    report = botocore.validate.ParamValidator().validate(parsed, shape)
    kept = botocore.validate.ValidationErrors()
    for reason, name, kwargs in report._errors:
        if reason not in REQUEST_ONLY:
            kept.report(name, reason, **kwargs)
    if kept.has_errors():
        problems.append(kept.generate_report())
    problems.extend(missing_required(shape, parsed, operation_model.name))
    return problems


def missing_required(shape, value, path):
    """Walks the shape's required lists (ParamValidator does too; this
    names the path of each member missing)."""
    out = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if name not in value:
                out.append("%s.%s: required member missing" % (path, name))
        for name, member in shape.members.items():
            if name in value:
                out.extend(missing_required(member, value[name], path + "." + name))
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(missing_required(shape.member, v, "%s[%d]" % (path, i)))
    return out
