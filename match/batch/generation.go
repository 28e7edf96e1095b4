package batch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Outputs switch together. A run writes index.json, results.jsonl,
// clients.csv and report.html into a new generation folder gen/gNNNNNN,
// then points the symbolic link `current` at it with one rename (atomic):
// current/ always holds one run's complete set. The top-level names
// (out/results.jsonl …) are symbolic links to current/NAME, so users and
// scripts keep their paths. A reader that needs the four files of one run
// resolves `current` once (readlink out/current, or open out/current/ as a
// directory) and reads them from there; a file opened through a top-level
// link is always whole, but two such files opened across a switch can come
// from two runs. The previous generation is kept (a reader may still be in
// it); older ones and those of killed runs are removed.
const (
	genDir      = "gen"
	currentName = "current"
)

var outputNames = []string{indexName, resultsName, clientsName, clientsJSONName, reportName}

// publish writes idx and the outputs built from out's state as a new
// generation and switches to it. step, if not nil, is called after each
// stage (tests kill the process there).
func publish(out string, idx Index, fault faults, step func(string)) error {
	if step == nil {
		step = func(string) {}
	}
	gens := filepath.Join(out, genDir)
	if err := fault.check(gens); err != nil {
		return err
	}
	if err := os.MkdirAll(gens, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", gens, err)
	}
	prev, err := migrate(out, gens)
	if err != nil {
		return err
	}
	step("migrated")
	n := 1
	for _, g := range generations(gens) {
		n = max(n, g+1)
	}
	name := fmt.Sprintf("g%06d", n)
	dir := filepath.Join(gens, name)
	if err := fault.check(dir); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if err := writeOutputs(out, dir, idx, fault); err != nil {
		os.RemoveAll(dir)
		return err
	}
	if err := syncDir(dir); err != nil {
		os.RemoveAll(dir)
		return err
	}
	step("written")
	// The links first: before the first switch they dangle, so a reader
	// sees all four names resolve together or none.
	for _, n := range outputNames {
		if err := link(out, n, filepath.Join(currentName, n), fault); err != nil {
			return err
		}
	}
	step("linked")
	if err := link(out, currentName, filepath.Join(genDir, name), fault); err != nil {
		return err
	}
	if err := syncDir(out); err != nil {
		return err
	}
	step("switched")
	// Keep this generation and the one before; drop the rest (older ones,
	// those of killed runs).
	for _, g := range generations(gens) {
		gn := fmt.Sprintf("g%06d", g)
		if gn != name && gn != prev {
			os.RemoveAll(filepath.Join(gens, gn))
		}
	}
	step("pruned")
	return nil
}

// migrate turns an --out of an older smpmatch (the outputs as regular
// files at the top level) into a generation with links, without a moment
// where a reader sees a mix: the files are hard-linked into gen/g000000,
// `current` points there, and each top-level file is replaced by a link to
// the same bytes. It returns the current generation's name ("" if none).
func migrate(out, gens string) (string, error) {
	if t, err := os.Readlink(filepath.Join(out, currentName)); err == nil {
		return filepath.Base(t), nil
	}
	var old []string
	for _, n := range outputNames {
		if st, err := os.Lstat(filepath.Join(out, n)); err == nil && st.Mode().IsRegular() {
			old = append(old, n)
		}
	}
	if len(old) == 0 {
		return "", nil
	}
	const name = "g000000"
	dir := filepath.Join(gens, name)
	os.RemoveAll(dir) // a migration killed half-way
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", dir, err)
	}
	for _, n := range old {
		if err := os.Link(filepath.Join(out, n), filepath.Join(dir, n)); err != nil {
			return "", fmt.Errorf("write %s: %w", dir, err)
		}
	}
	if err := link(out, currentName, filepath.Join(genDir, name), nil); err != nil {
		return "", err
	}
	for _, n := range old {
		if err := link(out, n, filepath.Join(currentName, n), nil); err != nil {
			return "", err
		}
	}
	return name, syncDir(out)
}

// link makes out/name a symbolic link to target, atomically: a temporary
// link renamed over it. An existing link to target is left alone.
func link(out, name, target string, fault faults) error {
	p := filepath.Join(out, name)
	if t, err := os.Readlink(p); err == nil && t == target {
		return nil
	}
	if err := fault.check(p); err != nil {
		return err
	}
	tmp := filepath.Join(out, "."+name+".tmp-link")
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// generations lists the numbers of gen/gNNNNNN, ascending.
func generations(gens string) []int {
	es, _ := os.ReadDir(gens)
	var ns []int
	for _, e := range es {
		if n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "g")); err == nil && strings.HasPrefix(e.Name(), "g") && e.IsDir() {
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	return ns
}

// syncDir makes a folder's entries (renames, new files) durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	return nil
}
