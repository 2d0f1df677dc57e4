package clienttest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/gwlbctl/gwlbctl/control/awsapi"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Test credentials: AWS's documentation example key.
const (
	testAccessKey = "AKIDEXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion    = "us-east-1"
	testAccount   = "123456789012"
)

// exchange is one answered request as the server sent it.
type exchange struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Status    int    `json:"status"`
	Code      string `json:"code,omitempty"`
	Body      string `json:"body"`
}

// testServer is the Handler on a real loopback listener over a state file
// in a temporary directory, recording every exchange.
type testServer struct {
	*httptest.Server
	StatePath string
	Store     *store.File

	mu        sync.Mutex
	exchanges []exchange
}

type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func newTestServer(t testing.TB, mod func(*awsapi.Config)) *testServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{StatePath: path, Store: st}
	logs := map[string]awsapi.RequestLog{}
	var logMu sync.Mutex
	cfg := awsapi.Config{Store: st, Region: testRegion, Account: testAccount, Log: func(l awsapi.RequestLog) {
		logMu.Lock()
		logs[l.RequestID] = l
		logMu.Unlock()
	}}
	if mod != nil {
		mod(&cfg)
	}
	h, err := awsapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		id := w.Header().Get("x-amzn-RequestId")
		logMu.Lock()
		l := logs[id]
		delete(logs, id)
		logMu.Unlock()
		ts.mu.Lock()
		ts.exchanges = append(ts.exchanges, exchange{Service: l.Service, Operation: l.Action, Status: rec.status, Code: l.Code, Body: rec.body.String()})
		ts.mu.Unlock()
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) Exchanges() []exchange {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]exchange(nil), ts.exchanges...)
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

// clients returns SDK for Go clients of both services pointed at ts.
func (ts *testServer) clients(t testing.TB, accessKey, secret string) (*elb.Client, *ec2sdk.Client) {
	t.Helper()
	// An explicit aws.Config rather than config.LoadDefaultConfig: the
	// test must not depend on the developer's AWS_* environment and files.
	cfg := aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		HTTPClient:  ts.Client(),
	}
	e := elb.NewFromConfig(cfg, func(o *elb.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	c := ec2sdk.NewFromConfig(cfg, func(o *ec2sdk.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	return e, c
}
