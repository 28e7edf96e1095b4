// Package schematest validates smpmatch's JSON outputs against their
// published JSON Schemas (package schema), for tests. It is imported only by
// tests; its validator (github.com/santhosh-tekuri/jsonschema/v6) is a test
// dependency.
package schematest

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/smpmatch/smpmatch/match/batch/schema"
)

// Names of the schemas in batch.Schemas.
const (
	Calibrate  = "calibrate.schema.json"
	Measure    = "measure.schema.json"
	Match      = "match.schema.json"
	MatchPhoto = "match-photo.schema.json"
	Clients    = "clients.schema.json"
)

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Schema compiles one of the published schemas.
func Schema(name string) (*jsonschema.Schema, error) {
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[name]; ok {
		return s, nil
	}
	b, err := schema.FS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	url := "file:///smpmatch/schema/" + name
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	compiled[name] = s
	return s, nil
}

// Validate checks one JSON document against the named schema.
func Validate(name string, doc []byte) error {
	s, err := Schema(name)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// Lines checks every non-empty line of JSON Lines output against the named
// schema, failing t for each line that does not validate, and returns the
// number of lines checked.
func Lines(t testing.TB, name string, jsonl []byte) int {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(nil, 64<<20)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		n++
		if err := Validate(name, line); err != nil {
			t.Errorf("line %d does not validate against %s: %v\n%s", n, name, err, clip(string(line)))
		}
	}
	return n
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return strings.TrimSpace(s)
}
