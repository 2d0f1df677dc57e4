#!/usr/bin/env python3
"""Parses every recorded response of gwlbctl's AWS API (one JSON object a
line: service, operation, status, code, body) with botocore's own parser
for the operation's protocol, and validates what it parsed against the
service model's output shape. Error responses must parse to their code and
a request id. Exits 1 naming every problem."""

import argparse
import json
import sys

import botocore.model
import botocore.parsers

import gwlbapi_models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--supplement", required=True)
    ap.add_argument("exchanges")
    args = ap.parse_args()
    models = {s: botocore.model.ServiceModel(gwlbapi_models.merged_model(s, args.supplement), service_name=s)
              for s in gwlbapi_models.SERVICES}
    problems, counts = [], {"ok": 0, "error": 0}
    with open(args.exchanges) as f:
        for n, line in enumerate(f, 1):
            x = json.loads(line)
            model = models[x["service"]]
            op = model.operation_model(x["operation"])
            parser = botocore.parsers.create_parser(model.metadata["protocol"])
            resp = {"body": x["body"].encode(), "headers": {}, "status_code": x["status"]}
            where = "line %d: %s %s (%d)" % (n, x["service"], x["operation"], x["status"])
            try:
                parsed = parser.parse(resp, op.output_shape)
            except Exception as e:  # a parser failure is what this check looks for
                problems.append("%s: botocore cannot parse it: %s\n%s" % (where, e, x["body"]))
                continue
            if x["status"] >= 300:
                counts["error"] += 1
                code = parsed.get("Error", {}).get("Code")
                if code != x.get("code") or not parsed.get("ResponseMetadata", {}).get("RequestId"):
                    problems.append("%s: error parsed as %r, want code %r and a request id" % (where, parsed, x.get("code")))
                continue
            counts["ok"] += 1
            for p in gwlbapi_models.output_problems(op, parsed):
                problems.append("%s: %s" % (where, p))
    print("botocore %s: %d responses and %d errors parsed and validated against the service models"
          % (botocore.__version__, counts["ok"], counts["error"]))
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
