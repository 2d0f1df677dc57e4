#!/usr/bin/env python3
"""Serializes requests with botocore's own Query/EC2 serializers: reads one
JSON object a line (service, operation, params: the operation's input in
AWS's member names) and writes one a line with the form-encoded body
botocore would send."""

import argparse
import json
import sys
import urllib.parse

import botocore.model
import botocore.serialize

import gwlbapi_models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--supplement", required=True)
    args = ap.parse_args()
    models = {s: botocore.model.ServiceModel(gwlbapi_models.merged_model(s, args.supplement), service_name=s)
              for s in gwlbapi_models.SERVICES}
    for line in sys.stdin:
        x = json.loads(line)
        model = models[x["service"]]
        op = model.operation_model(x["operation"])
        ser = botocore.serialize.create_serializer(model.metadata["protocol"], include_validation=True)
        req = ser.serialize_to_request(x["params"], op)
        print(json.dumps({"body": urllib.parse.urlencode(req["body"])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
