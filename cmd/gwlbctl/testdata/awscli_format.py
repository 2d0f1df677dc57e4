#!/usr/bin/python3
"""Formats a response with the AWS CLI v2's own formatter: the test oracle
for gwlbctl's --output and --query.

Reads one JSON request on stdin:

  {"operation": "DescribeVpcs", "format": "table", "query": "Vpcs[0]",
   "width": 80, "response": {...}}

and prints what `aws ... --output FORMAT --query QUERY` prints for that
response (awscli.formatter.get_formatter, the query compiled by Python's
jmespath as the AWS CLI compiles it, colour off, the table fitted to
width as if the terminal had that many columns).

With "paginate" instead of "response", the pages come from running a
command once per service call, as the AWS CLI's paginator makes them:

  {"service": "ec2", "operation": "DescribeVpcs", "format": "text",
   "paginate": {"argv": ["gwlbctl", "ec2", "describe-vpcs"],
                "max_items": 3, "page_size": 5, "starting_token": null}}

A JSON list of requests gets a JSON list of results back, one
{"stdout": ..., "error": ...} per request, from one process.

Each call runs ARGV --cli-input-json '<the call's parameters>' --output
json, and botocore's PageIterator (the AWS CLI's) merges, truncates and
tokenizes the pages before the formatter prints them.
"""
import argparse
import io
import json
import subprocess
import sys

import awscli.formatter  # first: it makes the AWS CLI's botocore the one imported
import awscli.table
import botocore.paginate
import botocore.session
import jmespath


def main():
    req = json.load(sys.stdin)
    if isinstance(req, list):
        results = []
        for r in req:
            buf = io.StringIO()
            try:
                format_one(r, buf)
                results.append({"stdout": buf.getvalue()})
            except Exception as e:  # the AWS CLI would print it and exit 255
                results.append({"stdout": buf.getvalue(), "error": "%s: %s" % (type(e).__name__, e)})
        json.dump(results, sys.stdout)
        return
    format_one(req, sys.stdout)


def format_one(req, stream):
    width = req.get("width", 80)
    awscli.table.determine_terminal_width = lambda default_width=80: width
    query = req.get("query")
    args = argparse.Namespace(
        query=jmespath.compile(query) if query else None,
        color="off",
    )
    formatter = awscli.formatter.get_formatter(req["format"], args)
    if "paginate" in req:
        response = page_iterator(req["service"], req["operation"], req["paginate"])
    else:
        response = req["response"]
    formatter(req["operation"], response, stream)


def page_iterator(service, operation, p):
    session = botocore.session.get_session()
    model = session.get_service_model(service).operation_model(operation)
    config = session.get_paginator_model(service).get_paginator(operation)

    def call(**kwargs):
        out = subprocess.run(
            p["argv"] + ["--cli-input-json", json.dumps(kwargs), "--output", "json"],
            check=True, capture_output=True, text=True,
        ).stdout
        return json.loads(out)

    paging = {}
    if p.get("max_items") is not None:
        paging["MaxItems"] = p["max_items"]
    if p.get("page_size") is not None:
        paging["PageSize"] = p["page_size"]
    if p.get("starting_token") is not None:
        paging["StartingToken"] = p["starting_token"]
    paginator = botocore.paginate.Paginator(call, config, model)
    return paginator.paginate(PaginationConfig=paging, **p.get("params", {}))


if __name__ == "__main__":
    main()
