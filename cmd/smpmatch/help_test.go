package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// Every command's --help describes it and shows an example; every flag
// that takes a value says what it takes; batch does not list the flags it
// refuses.
func TestHelpDescribesShowsExamplesAndNamesWhatFlagsTake(t *testing.T) {
	var cmds [][]string
	var walk func(prefix []string, cs []*cli.Command)
	walk = func(prefix []string, cs []*cli.Command) {
		for _, c := range cs {
			if c.Name == "help" {
				continue
			}
			path := append(append([]string{}, prefix...), c.Name)
			cmds = append(cmds, path)
			walk(path, c.Subcommands)
		}
	}
	walk(nil, commands())
	cmds = append(cmds, nil) // smpmatch --help
	placeholder := regexp.MustCompile(`^\s+(--[a-z-]+)(?:, -[a-z])? (\S+)\s`)
	for _, path := range cmds {
		code, stdout, stderr := runCLI(t, append(path, "--help")...)
		name := strings.Join(append([]string{"smpmatch"}, path...), " ")
		if code != exitOK {
			t.Errorf("%s --help: exit %d\n%s", name, code, stderr)
			continue
		}
		if !strings.Contains(stdout, "DESCRIPTION:") {
			t.Errorf("%s --help has no description", name)
		}
		if !strings.Contains(stdout, "Example") || !strings.Contains(stdout, "   smpmatch ") {
			t.Errorf("%s --help has no example:\n%s", name, stdout)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if m := placeholder.FindStringSubmatch(line); m != nil && m[2] == "value" {
				t.Errorf("%s: %s takes a bare \"value\": say what it takes", name, m[1])
			}
		}
	}
	_, stdout, _ := runCLI(t, "batch", "--help")
	for _, want := range []string{"--workers N", "--palette NAME|FILE", "--target lighter|match|darker", `(default: "match")`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("batch --help has no %q", want)
		}
	}
	for _, refused := range []string{"--card-corners", "--roi-mask"} {
		if strings.Contains(stdout, refused) {
			t.Errorf("batch --help lists %s, which batch refuses", refused)
		}
	}
}

// The palette CSV in the README parses as written.
func TestREADMEPaletteCSVParses(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "CSV (one row per pigment")
	if i < 0 {
		t.Fatal("README has no palette CSV section")
	}
	block := regexp.MustCompile("(?s)```(?:csv)?\n(.*?)```").FindStringSubmatch(readme[i:])
	if block == nil {
		t.Fatal("no code block after the palette CSV section")
	}
	path := writeFile(t, "my-inks.csv", block[1])
	code, stdout, stderr := runCLI(t, "palettes", "check", path)
	if code != exitOK {
		t.Errorf("the README's palette CSV does not pass `palettes check` (exit %d):\n%s%s\n%s", code, stdout, stderr, block[1])
	}
	code, _, stderr = runCLI(t, "match", "--hair-lab", "25,2,3", "--scalp-lab", "62,11,16", "--palette", path, "--json")
	if code != exitOK {
		t.Errorf("match with the README's palette: exit %d\n%s", code, stderr)
	}
}
