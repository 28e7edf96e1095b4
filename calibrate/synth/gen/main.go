// Command gen writes random synthetic ColorChecker photos and their truth:
//
//	go run ./calibrate/synth/gen -n 20 -out /tmp/cards -seed 1
//
// writes scene-000.jpg … and truth.json (one entry per photo: file name,
// truth and the full scene, so any photo can be re-rendered).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/synth"
)

// entry is one photo in truth.json.
type entry struct {
	File  string      `json:"file"`
	Truth synth.Truth `json:"truth"`
	Scene synth.Scene `json:"scene"`
}

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fs.Int("n", 20, "number of photos")
	out := fs.String("out", "", "output directory (created if missing)")
	seed := fs.Int64("seed", 1, "random seed")
	width := fs.Int("width", 0, "image width (0 = 1600)")
	height := fs.Int("height", 0, "image height (0 = 1200)")
	format := fs.String("format", "jpeg", "file format: jpeg (the scene's JPEG quality, else 90) or png (lossless)")
	clean := fs.Bool("clean", false, "no occluders, glare, shadow or decoys; white patch unclipped")
	allKinds := fs.Bool("all-kinds", false, "draw the main card from every kind (decoys too), not only the Classic")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		return 2
	}
	if err := generate(*out, *n, *seed, *format, synth.RandomOptions{Width: *width, Height: *height, Clean: *clean}, *allKinds); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		return 1
	}
	return 0
}

func generate(dir string, n int, seed int64, format string, opts synth.RandomOptions, allKinds bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if allKinds {
		opts.Kinds = []synth.Kind{synth.KindClassic, synth.KindSpyderCheckr24, synth.KindPassportCreative, synth.KindRandomTiles}
	}
	rng := rand.New(rand.NewSource(seed))
	ext := map[string]string{"png": "png"}[format]
	if ext == "" {
		ext = "jpg"
	}
	var entries []entry
	for i := range n {
		s := synth.RandomScene(rng, opts)
		q := s.JPEGQuality
		if ext == "png" {
			// The file is the render itself; no second lossy pass.
			q = 0
		} else {
			// The file's own encoding is the JPEG round trip.
			s.JPEGQuality = 0
		}
		img, truth := synth.Render(s)
		s.JPEGQuality = q
		data, err := synth.Encode(img, ext, q)
		if err != nil {
			return fmt.Errorf("scene %d: %w", i, err)
		}
		name := fmt.Sprintf("scene-%03d.%s", i, ext)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
		entries = append(entries, entry{File: name, Truth: truth, Scene: s})
	}
	js, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return fmt.Errorf("truth.json: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "truth.json"), append(js, '\n'), 0o644)
}
