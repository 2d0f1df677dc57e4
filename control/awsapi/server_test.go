package awsapi

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwlbctl/gwlbctl/control/store"
)

// The tests' region and account. The tests with real clients (the AWS
// SDK for Go, boto3, botocore's parsers) are in clienttest, so that this
// package's test binary, FuzzHandler's, links no SDK.
const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
)

// testServer is the Handler on a real loopback listener over a state file
// in a temporary directory.
type testServer struct {
	*httptest.Server
	StatePath string
	Store     *store.File
}

func newTestServer(t testing.TB, mod func(*Config)) *testServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Region: testRegion, Account: testAccount}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: httptest.NewServer(h), StatePath: path, Store: st}
	t.Cleanup(ts.Close)
	return ts
}

// stateBytes is the state file's content ("" when there is none).
func (ts *testServer) stateBytes(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(ts.StatePath)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}
