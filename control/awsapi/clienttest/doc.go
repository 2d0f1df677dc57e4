// Package clienttest holds the tests of control/awsapi that use real AWS
// clients: the AWS SDK for Go (every action, verified signatures,
// paginators, 50 concurrent writers, hand-signed malformed requests),
// boto3 (a whole topology, its paginators) and botocore's own parser and
// model validation for every response. They live apart from
// control/awsapi so that its test binary, which FuzzHandler is built
// into, does not link the SDK. The package has no code of its own.
package clienttest
