package awsapi

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// TestModelsAreGenerated: the embedded models are what `go generate`
// makes of Debian's botocore for the current action table.
func TestModelsAreGenerated(t *testing.T) {
	const botocore = "/usr/lib/python3/dist-packages/botocore"
	if _, err := os.Stat(filepath.Join(botocore, "data", "elbv2")); err != nil {
		t.Skipf("skipped: %s not found (install python3-botocore: make deps)", botocore)
	}
	if testing.Short() {
		t.Skip("skipped in -short: builds the generator")
	}
	dir := t.TempDir()
	out, err := exec.Command("go", "run", "./internal/modelgen", "-botocore", botocore, "-out", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("modelgen: %v\n%s", err, out)
	}
	for file := range ModelOperations() {
		want, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := modelFiles.ReadFile("models/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("models/%s is not what go generate makes of the action table: run go generate ./control/awsapi", file)
		}
	}
}

// sharedOutputFields are fields of Go output types that several actions
// share, with a member in the model of only some of them, and why they
// are always empty in the others. Should one be set where the model has
// no member for it, the encoder answers 500 rather than drop it.
var sharedOutputFields = map[string]string{
	"CreateTargetGroupOutput.NextMarker": "only DescribeTargetGroups cuts pages (control.TargetGroupsOutput)",
	"ModifyTargetGroupOutput.NextMarker": "only DescribeTargetGroups cuts pages (control.TargetGroupsOutput)",
	"CreateListenerOutput.NextMarker":    "only DescribeListeners cuts pages (control.ListenersOutput)",
	"ModifyListenerOutput.NextMarker":    "only DescribeListeners cuts pages (control.ListenersOutput)",
}

// TestEncoderRefusesUnmodelledValues: a shared output field set where the
// model has no member for it is an error, not a value dropped.
func TestEncoderRefusesUnmodelledValues(t *testing.T) {
	m, err := loadModel(modelFile[serviceELBv2])
	if err != nil {
		t.Fatal(err)
	}
	out := m.Operations["CreateTargetGroup"].Output.shape
	e := &encoder{buf: &bytes.Buffer{}}
	if err := e.structure(out, reflect.ValueOf(&control.CreateTargetGroupOutput{TargetGroups: []control.TargetGroup{}})); err != nil {
		t.Fatalf("without NextMarker: %v", err)
	}
	err = e.structure(out, reflect.ValueOf(&control.CreateTargetGroupOutput{TargetGroups: []control.TargetGroup{}, NextMarker: "m"}))
	if err == nil || !strings.Contains(err.Error(), "NextMarker is set") {
		t.Fatalf("with NextMarker: %v, want an error naming it", err)
	}
}

// TestTypesMatchModels: every JSON field of every action's Input and
// Output types is a member of the model's shape (else the API could
// neither read nor write it), but for the shared output fields above.
func TestTypesMatchModels(t *testing.T) {
	for _, a := range actionTable {
		m, err := loadModel(modelFile[a.service])
		if err != nil {
			t.Fatal(err)
		}
		op := m.Operations[a.name]
		var problems []string
		if op.Input != nil {
			problems = append(problems, unmodelled(a.input, op.Input.shape, a.name+"Input", map[typePair]bool{})...)
		}
		if op.Output != nil {
			problems = append(problems, unmodelled(a.output, op.Output.shape, a.name+"Output", map[typePair]bool{})...)
		} else if a.output.NumField() != 0 {
			problems = append(problems, "the model has no output but "+a.output.String()+" has fields")
		}
		problems = slices.DeleteFunc(problems, func(p string) bool { return sharedOutputFields[p] != "" })
		slices.Sort(problems)
		if len(problems) > 0 {
			t.Errorf("%s %s:\n  %s", a.service, a.name, strings.Join(problems, "\n  "))
		}
	}
}

// TestCheckTypesFindsMismatches: the check New runs reports a Go type
// that cannot hold the model's values.
func TestCheckTypesFindsMismatches(t *testing.T) {
	m, err := loadModel(modelFile[serviceELBv2])
	if err != nil {
		t.Fatal(err)
	}
	type badTarget struct {
		Id   int    `json:"Id"`
		Port string `json:"Port"`
	}
	type badInput struct {
		TargetGroupArn []string    `json:"TargetGroupArn"`
		Targets        []badTarget `json:"Targets"`
	}
	got := checkTypes(reflect.TypeFor[badInput](), m.Operations["RegisterTargets"].Input.shape, "RegisterTargetsInput", map[typePair]bool{})
	want := []string{"RegisterTargetsInput.TargetGroupArn", "RegisterTargetsInput.Targets[].Id", "RegisterTargetsInput.Targets[].Port"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want one for each of %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]+":") {
			t.Errorf("problem %q, want one about %s", got[i], want[i])
		}
	}
}

// TestIgnoredTokens: the idempotency tokens the API accepts without
// acting on them (the operation takes none) are the ones the README's
// list of differences names.
func TestIgnoredTokens(t *testing.T) {
	var got []string
	for _, a := range actionTable {
		m, err := loadModel(modelFile[a.service])
		if err != nil {
			t.Fatal(err)
		}
		op := m.Operations[a.name]
		if op.Input == nil {
			continue
		}
		fields := fieldsOf(a.input)
		for name, r := range op.Input.shape.Members {
			if _, ok := fields[name]; !ok && ignoredToken(r) {
				got = append(got, a.name+"."+name)
			}
		}
	}
	slices.Sort(got)
	// Every operation with a client token acts on it (control's
	// ClientTokenRecord): none is accepted and ignored.
	if len(got) != 0 {
		t.Errorf("idempotency tokens accepted and not acted on: %q, want none (act on them, or list them in the README's differences)", got)
	}
}
