// Command smpmatch measures hair and scalp colour from calibrated photos and
// recommends scalp micropigmentation pigment blends.
//
// This package only wires flags to the library packages (calibrate, match,
// palettes); it is the one place that prints and exits. Exit codes:
//
//	0  every input succeeded
//	1  at least one input failed (the others were still processed)
//	2  usage error (bad flags, missing arguments, unreadable option files)
//	3  output could not be written (disk full, I/O error, read-only file
//	   system): stopped at once, the previous outputs are kept
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/urfave/cli/v2"
)

// Exit codes, part of the documented contract with integrators.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitOutput = 3
)

// version is stamped by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// usageError marks errors caused by how the program was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// partialFailure says that some inputs failed; each was already reported.
type partialFailure struct{ failed, total int }

func (p partialFailure) Error() string {
	return fmt.Sprintf("%d of %d inputs failed", p.failed, p.total)
}

// run is main without os.Exit, so deferred cleanup always runs and tests can
// call it. urfave/cli would call os.Exit itself for a cli.ExitCoder; we never
// return one and map errors to exit codes here instead.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := reorderArgs(app, args)
	if err == nil {
		err = app.Run(args)
	}
	return exitCode(err, stderr)
}

// exitCode prints err (if any) in one line and maps it to the exit code.
func exitCode(err error, stderr io.Writer) int {
	var pf partialFailure
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &pf):
		fmt.Fprintf(stderr, "smpmatch: %v\n", err)
		return exitFailed
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "smpmatch: %v\n", err)
		return exitUsage
	case errors.Is(err, batch.ErrOutput):
		fmt.Fprintf(stderr, "smpmatch: %v\n", err)
		return exitOutput
	default:
		fmt.Fprintf(stderr, "smpmatch: %v\n", err)
		return exitFailed
	}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "smpmatch",
		Usage: "measure hair and scalp colour from calibrated photos and recommend SMP pigment blends",
		Description: "Day one: photograph the ColorChecker card, then the scalp (phone 15–20 cm away,\n" +
			"same light), one folder per client, card shot named card.jpg. Then one command, and\n" +
			"open OUT/report.html.\n\n" +
			"Examples:\n" +
			"   smpmatch batch consult/2026-12-06 --out results/2026-12-06\n" +
			"   smpmatch match crown.jpg --profile session.json",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by run.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Commands: commands(),
	}
	app.Setup()
	for _, c := range app.Commands {
		setUsageHandler(c)
	}
	return app
}

func setUsageHandler(c *cli.Command) {
	if c.OnUsageError == nil {
		c.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	}
	checkFlagsFirst(c)
	for _, s := range c.Subcommands {
		setUsageHandler(s)
	}
}

// commands lists the subcommands; each lives in its own file.
func commands() []*cli.Command {
	return []*cli.Command{
		calibrateCommand(),
		measureCommand(),
		matchCommand(),
		palettesCommand(),
		batchCommand(),
		healedCommand(),
	}
}

// reorderArgs moves a subcommand's flags in front of its positional
// arguments, so that `smpmatch calibrate a.jpg b.jpg --json` works as the
// README shows: urfave/cli v2 stops parsing flags at the first argument.
// Everything after a "--" is left alone. A flag that takes a value and is
// last, or followed by another of the command's flags, is a usage error:
// moved in front, it would take the first positional argument as its value
// (`batch IN1 IN2 --out` would write into IN1).
func reorderArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	var cmd *cli.Command
	i := 1
	for ; i < len(args) && cmd == nil; i++ {
		cmd = app.Command(args[i])
	}
	if cmd == nil {
		return args, nil
	}
	// Descend into subcommands named next (e.g. "palettes show").
	for i < len(args) {
		sub := cmd.Command(args[i])
		if sub == nil {
			break
		}
		cmd = sub
		i++
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	head := append([]string{}, args[:i]...)
	var flags, pos []string
	for k := i; k < len(args); k++ {
		a := args[k]
		if a == "--" {
			pos = append(pos, args[k:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			name := strings.TrimLeft(a, "-")
			if eq := strings.IndexByte(name, '='); eq >= 0 {
				flags = append(flags, a)
				continue
			}
			flags = append(flags, a)
			if takesValue[name] {
				if k+1 >= len(args) || isFlag(args[k+1], takesValue) {
					return nil, usagef("flag %s needs a value", a)
				}
				flags = append(flags, args[k+1])
				k++
			}
			continue
		}
		pos = append(pos, a)
	}
	out := append(head, flags...)
	return append(out, pos...), nil
}

// isFlag reports whether a names one of the command's flags (-x, --x or
// --x=v) or help.
func isFlag(a string, known map[string]bool) bool {
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	_, ok := known[name]
	return ok || name == "help" || name == "h"
}
