package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Merge joins the outputs of batches run on shards of the same inputs
// (same settings and version) into out: it copies their state records and
// rebuilds results.jsonl, clients.csv and report.html for all clients,
// sorted by client ID. A client may appear in only one input.
func Merge(ins []string, out string) error {
	if len(ins) == 0 {
		return fmt.Errorf("merge: no batch outputs to merge")
	}
	if err := os.MkdirAll(filepath.Join(out, stateDir), 0o755); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	lk, err := acquireLock(out)
	if err != nil {
		return err
	}
	defer lk.release()
	var merged Index
	from := map[string]string{}
	dst := store{dir: filepath.Join(out, stateDir)}
	for i, in := range ins {
		idx, err := readIndex(in)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if i == 0 {
			merged = idx
			merged.Clients, merged.Shard = nil, ""
		} else if idx.Settings != merged.Settings || idx.Version != merged.Version {
			return fmt.Errorf("merge: %s was made with other settings or another smpmatch version (%s) than %s (%s)", in, idx.Version, ins[0], merged.Version)
		}
		src := store{dir: filepath.Join(in, stateDir)}
		for _, c := range idx.Clients {
			if prev, dup := from[c.ID]; dup {
				return fmt.Errorf("merge: client %q is in both %s and %s (were they run with different --shard N?)", c.ID, prev, in)
			}
			from[c.ID] = in
			keys := []string{c.ClientKey}
			for _, p := range c.Photos {
				if p.Key != "" {
					keys = append(keys, p.Key)
				}
			}
			for _, k := range keys {
				if err := copyState(src, dst, k); err != nil {
					return fmt.Errorf("merge: client %s: %w", c.ID, err)
				}
			}
			merged.Clients = append(merged.Clients, c)
		}
	}
	sort.Slice(merged.Clients, func(i, j int) bool { return merged.Clients[i].ID < merged.Clients[j].ID })
	if err := publish(out, merged, nil, nil); err != nil {
		if IsDiskError(err) {
			return outputError(out, err)
		}
		return err
	}
	return nil
}

// copyState copies a record and its pictures, unless the same folder.
func copyState(src, dst store, key string) error {
	if sameDir(src.dir, dst.dir) {
		return nil
	}
	for _, suffix := range []string{"json", thumbCorrected, thumbOverlay, thumbZoom, thumbZoomMask} {
		b, err := readBounded(src.path(key, suffix), maxStateBytes)
		if err != nil {
			if suffix != "json" && os.IsNotExist(err) {
				continue
			}
			return fmt.Errorf("state %s: %w", key, err)
		}
		if err := dst.write(dst.path(key, suffix), b); err != nil {
			if IsDiskError(err) {
				return outputError(dst.dir, err)
			}
			return err
		}
	}
	return nil
}

func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
