package main

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// Every numeric flag of every command is validated: NaN, ±Inf, negative
// numbers and values outside its range are usage errors (exit 2) naming the
// flag; both ends of the range are accepted. The flags are found by walking
// the commands, so a new numeric flag without a range fails here.
// Before: `--pigment-cost NaN` ranked a 10.9 ΔE00 blend first, and
// `--max-pixels 0` silently meant the default.
func TestUsageNumericFlagsAreValidated(t *testing.T) {
	type flagAt struct {
		path []string
		name string
		f64  bool
	}
	var flags []flagAt
	var walk func(path []string, cs []*cli.Command)
	walk = func(path []string, cs []*cli.Command) {
		for _, c := range cs {
			p := append(append([]string(nil), path...), c.Name)
			for _, f := range c.Flags {
				switch f := f.(type) {
				case *cli.IntFlag:
					flags = append(flags, flagAt{p, f.Name, false})
				case *cli.Float64Flag:
					flags = append(flags, flagAt{p, f.Name, true})
				}
			}
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(io.Discard, io.Discard).Commands)
	if len(flags) < 10 {
		t.Fatalf("found only %d numeric flags", len(flags))
	}
	for _, fa := range flags {
		r, ok := numericFlags[fa.name]
		if !ok {
			t.Errorf("%s --%s: numeric flag without a range in numericFlags", strings.Join(fa.path, " "), fa.name)
			continue
		}
		bad := []string{"-1", num(r.min - 1), num(r.max + 1), "1e30"}
		if fa.f64 {
			bad = append(bad, "NaN", "Inf", "-Inf", "nan", num(r.min-0.001))
		}
		for _, v := range bad {
			t.Run(strings.Join(fa.path, "_")+"/--"+fa.name+"="+v, func(t *testing.T) {
				args := append(append([]string(nil), fa.path...), "--"+fa.name, v, "missing.jpg")
				code, stdout, stderr := runCLI(t, args...)
				// urfave/cli's own parse errors say "-name".
				if code != exitUsage || !strings.Contains(stderr, "-"+fa.name) {
					t.Errorf("exit %d, stderr %q: want exit %d naming --%s", code, stderr, exitUsage, fa.name)
				}
				if stdout != "" {
					t.Errorf("stdout %q on a usage error", stdout)
				}
			})
		}
		for _, v := range []float64{r.min, r.max} {
			s := num(v)
			if !fa.f64 {
				s = strconv.Itoa(int(v))
			}
			t.Run(strings.Join(fa.path, "_")+"/--"+fa.name+"="+s+" is accepted", func(t *testing.T) {
				// The action then fails on the missing photo or another
				// flag; only the range check is under test.
				args := append(append([]string(nil), fa.path...), "--"+fa.name, s, "--out", t.TempDir(), "missing.jpg")
				if fa.path[0] != "batch" {
					args = append(append([]string(nil), fa.path...), "--"+fa.name, s, "missing.jpg")
				}
				_, _, stderr := runCLI(t, args...)
				if strings.Contains(stderr, "--"+fa.name+" =") {
					t.Errorf("a value at the end of the range is refused: %q", stderr)
				}
			})
		}
	}
}

// Numbers inside text flags (colours, corners) are finite and in range.
func TestUsageNumbersInTextFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"match", "--hair-lab", "NaN,1,1", "--scalp-lab", "64,9,15"}, `--hair-lab: "NaN" is not a finite number`},
		{[]string{"match", "--hair-lab", "20,1,1", "--scalp-lab", "64,Inf,15"}, `--scalp-lab: "Inf" is not a finite number`},
		{[]string{"match", "--scalp-lab", "64,9,15", "--target-lab", "40,1e999,2"}, `--target-lab: "1e999" is not a finite number`},
		{[]string{"match", "--hair-lab", "20,300,1", "--scalp-lab", "64,9,15"}, "--hair-lab: a* = 300, b* = 1: each must be within -128..128"},
		{[]string{"palettes", "show", "smp-carbon-line", "--scalp-lab", "60,-nan,1"}, `--scalp-lab: "-nan" is not a finite number`},
		{[]string{"calibrate", "--card-corners", "1,2,3,4,5,6,7,NaN", "missing.jpg"}, `--card-corners: "NaN" is not a finite number`},
		{[]string{"measure", "--card-corners", "1,2,3,4,5,6,7,1e300", "missing.jpg"}, `--card-corners: "1e300" is outside`},
		{[]string{"measure", "--roi", "1,2,NaN,4", "missing.jpg"}, "--roi"},
		{[]string{"calibrate", "--region", "1,2,-3,4", "missing.jpg"}, "--region"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// A palette `palettes check` accepts, `match` accepts: a colour no surface
// has (L*a*b* 50, 128, −128) is refused by both, with the same message.
// Before, check said ok and match failed.
func TestRobustPaletteCheckAndMatchAgree(t *testing.T) {
	pal := writeFile(t, "violet.csv", "id,name,kind,L,a,b,source\nk,Black,carbon black,22,0,-1,est\nv,Violet,other,50,128,-128,est\n")
	const want = "line 3 (v) lab: recover spectrum for L*a*b*(50.0, 128.0, -128.0): best fit is 10.32 ΔE00 away: no smooth reflectance spectrum has this colour"
	code, stdout, _ := runCLI(t, "palettes", "check", pal)
	if code == exitOK || !strings.Contains(stdout, want) {
		t.Errorf("palettes check: exit %d, %q: want a failure saying %q", code, stdout, want)
	}
	code, _, stderr := runCLI(t, "match", "--hair-lab", "22,1,1", "--scalp-lab", "64,9,15", "--palette", pal)
	if code == exitOK || !strings.Contains(stderr, want) {
		t.Errorf("match: exit %d, %q: want a failure saying %q", code, stderr, want)
	}
}
