package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/urfave/cli/v2"
)

func measureFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "colour-correct with the session profile `FILE` from calibrate"},
		&cli.BoolFlag{Name: "uncalibrated", Usage: "without profile or card, measure anyway as sRGB (results say \"calibrated\": false)"},
		&cli.StringFlag{Name: "roi", Usage: "measure only inside `x,y,w,h` (pixels of the photo)"},
		&cli.StringFlag{Name: "roi-mask", Usage: "measure only where the mask `PNG` (photo size) is not black"},
		&cli.StringFlag{Name: "card-corners", Usage: "corners of the card in the photo `x1,y1,...,x4,y4` (next to patch 1, 6, 24, 19)"},
		&cli.StringFlag{Name: "region", Usage: "search for the card only in `x,y,w,h`"},
		&cli.IntFlag{Name: "max-pixels", Value: photo.DefaultMaxPixels, Usage: "refuse photos with more than `N` pixels"},
	}
}

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:      "measure",
		Usage:     "measure hair and scalp colour (L*a*b* D50) and their contrast in scalp photos",
		ArgsUsage: "PHOTO...",
		Description: "Colour-corrects each scalp photo (with --profile from calibrate, else the card in\n" +
			"the photo), separates hair from scalp skin, and reports both colours in L*a*b* D50,\n" +
			"their contrast (ΔE00, ΔL*), the skin's ITA° and a confidence with warnings in words.\n\n" +
			"Examples:\n" +
			"   smpmatch measure crown.jpg                          # the card is in the photo\n" +
			"   smpmatch measure crown.jpg --profile session.json --mask-out /tmp/masks --json",
		Flags: append(measureFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print JSON Lines (one object per photo) instead of text"},
			&cli.StringFlag{Name: "mask-out", Usage: "write a picture of what was counted as hair and scalp to `DIR`"},
			&cli.StringFlag{Name: "corrected-out", Usage: "write the colour-corrected photo (sRGB PNG, no metadata) to `DIR`"},
			&cli.BoolFlag{Name: "dots", Usage: "measure healed SMP dots (follow-up photo): colour, count, size, spacing, density, skin"},
			&cli.StringFlag{Name: "card-size", Value: "classic", Usage: "with --dots: the card in the photo, for scale: classic, passport, or its patch side in `MM`"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "measure `N` photos at once (output stays in the order given)"},
		),
		Action: runMeasure,
	}
}

// measureOptions builds the measurement options from flags shared by
// measure, match and batch.
func measureOptions(c *cli.Context) (measure.Options, error) {
	var opt measure.Options
	ro, err := readOptions(c)
	if err != nil {
		return opt, err
	}
	opt.Read = ro
	opt.Uncalibrated = c.Bool("uncalibrated")
	if p := c.String("profile"); p != "" {
		prof, err := calibrate.LoadProfile(p)
		if err != nil {
			return opt, usageError{err}
		}
		opt.Profile = prof
	}
	if s := c.String("roi"); s != "" {
		r, err := parseRect(s, "--roi")
		if err != nil {
			return opt, err
		}
		opt.ROI = r
	}
	if p := c.String("roi-mask"); p != "" {
		m, err := loadMask(p)
		if err != nil {
			return opt, usageError{err}
		}
		opt.ROIMask = m
	}
	return opt, nil
}

func loadMask(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--roi-mask: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("--roi-mask %s: not a PNG: %w", path, err)
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, gg, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if a > 0 && r+gg+bb > 0 {
				g.Pix[y*g.Stride+x] = 255
			}
		}
	}
	return g, nil
}

// pictureStems names the pictures of each photo of one measure command
// (STEM.mask.png, STEM.corrected.png) so that no two photos share one: the
// file name without its extension when no other photo of the command has
// it; else the file name with its extension (x.jpg, x.png); else that and
// the first 8 hex digits of the SHA-256 of the photo's absolute path
// (a/x.jpg, b/x.jpg → x.jpg-1f0c3a9e). The same photo given twice is one.
func pictureStems(photos []string) []string {
	abs := make([]string, len(photos))
	for i, p := range photos {
		a, err := filepath.Abs(p)
		if err != nil {
			a = p
		}
		abs[i] = filepath.Clean(a)
	}
	unique := func(key func(i int) string) func(i int) bool {
		paths := map[string]map[string]bool{}
		for i := range photos {
			k := key(i)
			if paths[k] == nil {
				paths[k] = map[string]bool{}
			}
			paths[k][abs[i]] = true
		}
		return func(i int) bool { return len(paths[key(i)]) == 1 }
	}
	bare := func(i int) string { b := filepath.Base(photos[i]); return strings.TrimSuffix(b, filepath.Ext(b)) }
	full := func(i int) string { return filepath.Base(photos[i]) }
	bareOK, fullOK := unique(bare), unique(full)
	stems := make([]string, len(photos))
	for i := range photos {
		switch {
		case bareOK(i):
			stems[i] = bare(i)
		case fullOK(i):
			stems[i] = full(i)
		default:
			h := sha256.Sum256([]byte(abs[i]))
			stems[i] = fmt.Sprintf("%s-%x", full(i), h[:4])
		}
	}
	return stems
}

// writePNG writes a picture of a photo as DIR/STEM.SUFFIX.png. It never
// writes over one of the command's photos, and says so when it replaces a
// file (from an earlier run).
// picture is one picture a command can write: its --flag (the folder), its
// name suffix and the image.
type picture struct {
	flag, suffix string
	img          image.Image
}

// writePictures writes each picture whose --flag names a folder, as
// STEM.SUFFIX.png. A disk error (full, read-only, I/O) stops the command
// (ErrOutput, exit 3); any other failure is said in a line and reported
// as picErr, so the photo counts as failed.
func writePictures(c *cli.Context, stem string, photos []string, pics []picture) (picErr bool, err error) {
	for _, o := range pics {
		d := c.String(o.flag)
		if d == "" {
			continue
		}
		if err := writePNG(d, stem, o.suffix, o.img, photos, c.App.ErrWriter); err != nil {
			if batch.IsDiskError(err) {
				return true, fmt.Errorf("%w: %w", batch.ErrOutput, err)
			}
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: %v\n", err)
			picErr = true
		}
	}
	return picErr, nil
}

func writePNG(dir, stem, suffix string, img image.Image, photos []string, log io.Writer) error {
	path := filepath.Join(dir, stem+"."+suffix+".png")
	if st, err := os.Stat(path); err == nil {
		for _, p := range photos {
			if ps, err := os.Stat(p); err == nil && os.SameFile(st, ps) {
				return fmt.Errorf("the %s picture %s would overwrite the photo %s: choose another folder", suffix, path, p)
			}
		}
		fmt.Fprintf(log, "smpmatch: replacing %s\n", path)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encoding %s picture %s: %w", suffix, path, err)
	}
	return calibrate.WriteFileAtomic(path, buf.Bytes())
}

func runMeasure(c *cli.Context) error {
	photos := c.Args().Slice()
	if len(photos) == 0 {
		return usagef("measure needs at least one PHOTO")
	}
	opt, err := measureOptions(c)
	if err != nil {
		return err
	}
	for _, flag := range []string{"mask-out", "corrected-out"} {
		if d := c.String(flag); d != "" {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return usagef("--%s: %v", flag, err)
			}
		}
	}
	if c.Bool("dots") {
		return runMeasureDots(c, photos, opt)
	}
	return eachPhoto(c, photos, func(p string) photoOutcome {
		res, art := batch.Measure(p, p, opt, c.Int("max-pixels"))
		o := photoOutcome{ok: res.OK, err: res.Error, value: res, print: func(w io.Writer) { printMeasure(w, res) }}
		if art != nil {
			o.pics = []picture{{"mask-out", "mask", art.Overlay}, {"corrected-out", "corrected", art.Corrected}}
		}
		return o
	})
}

// photoOutcome is what measure (and measure --dots) report of one photo.
type photoOutcome struct {
	ok    bool
	err   string
	pics  []picture         // written where their --flag names a folder
	value any               // printed as contract JSON with --json
	print func(w io.Writer) // the table otherwise
}

// eachPhoto measures the photos one by one with one and reports each: a
// line on stderr for a failure, its pictures, then JSON or the table. The
// command fails (exit 1) if any photo or any of its pictures failed, and
// stops at once (exit 3) when an output cannot be written.
//
// Photos are measured --workers at a time; their lines, pictures and
// failures are written in the order the photos were given, each as soon
// as it and every photo before it are done. At most --workers outcomes
// (with their pictures) are held at once.
func eachPhoto(c *cli.Context, photos []string, one func(path string) photoOutcome) error {
	failed := 0
	stems := pictureStems(photos)
	workers := max(1, min(c.Int("workers"), len(photos)))
	done := make([]chan photoOutcome, len(photos))
	for i := range done {
		done[i] = make(chan photoOutcome, 1)
	}
	slots := make(chan struct{}, workers)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		for i, p := range photos {
			select {
			case slots <- struct{}{}:
			case <-quit:
				return
			}
			go func() { done[i] <- one(p) }()
		}
	}()
	for i := range photos {
		o := <-done[i]
		<-slots
		if !o.ok {
			failed++
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: %s\n", o.err)
		}
		if len(o.pics) > 0 {
			picErr, err := writePictures(c, stems[i], photos, o.pics)
			if err != nil {
				return err
			}
			if picErr && o.ok {
				failed++ // its pictures are part of what was asked
			}
		}
		if c.Bool("json") {
			if err := batch.WriteContractJSON(c.App.Writer, o.value); err != nil {
				return fmt.Errorf("writing JSON: %w", err)
			}
		} else {
			o.print(c.App.Writer)
		}
	}
	if failed > 0 {
		return partialFailure{failed: failed, total: len(photos)}
	}
	return nil
}

// printPhotoHeader prints a measured photo's first table line (what
// corrected it) and reports whether it was measured; a failed photo gets
// its FAILED line instead.
func printPhotoHeader(w io.Writer, photo string, ok bool, errMsg, correction string, cal *calibrate.FitStats) bool {
	if !ok {
		fmt.Fprintf(w, "%s: FAILED: %s\n\n", photo, errMsg)
		return false
	}
	fmt.Fprintf(w, "%s: corrected by %s", photo, correction)
	if cal != nil {
		fmt.Fprintf(w, " (card fit: cross-validated ΔE00 %.2f)", cal.LooMeanDE00)
	}
	fmt.Fprintln(w)
	return true
}

func printMeasure(w io.Writer, r measure.Result) {
	if !printPhotoHeader(w, r.Photo, r.OK, r.Error, r.Correction, r.Calibration) {
		return
	}
	if r.Hair.Found {
		fmt.Fprintf(w, "  hair   L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f, %s, coverage %.0f%%)\n",
			r.Hair.Lab.L, r.Hair.Lab.A, r.Hair.Lab.B, r.Hair.Spread, r.Hair.Kind, 100*r.Hair.Fraction)
	} else {
		fmt.Fprintln(w, "  hair   not found")
	}
	if r.Scalp.Found {
		fmt.Fprintf(w, "  scalp  L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f, ITA %.0f° %s)\n",
			r.Scalp.Lab.L, r.Scalp.Lab.A, r.Scalp.Lab.B, r.Scalp.Spread, r.Scalp.ITADeg, r.Scalp.ITACategory)
	} else {
		fmt.Fprintln(w, "  scalp  not found")
	}
	if r.Hair.Found && r.Scalp.Found {
		fmt.Fprintf(w, "  contrast ΔE00 %.1f, ΔL* %.1f, ΔC* %.1f, Δh %.0f°, luminance ratio %.2f\n",
			r.Contrast.DE00, r.Contrast.DL, r.Contrast.DC, r.Contrast.DH, r.Contrast.Ratio)
	}
	switch r.LitAt {
	case "card":
		fmt.Fprintln(w, "  lit as  the card (it lies amid the scalp)")
	case "region":
		fmt.Fprintln(w, "  lit as  the scalp's median light")
	}
	conf := "confident"
	if r.LowConfidence {
		conf = "LOW CONFIDENCE: do not trust these colours"
	}
	fmt.Fprintf(w, "  confidence %.2f (%s)\n", r.Confidence, conf)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintln(w)
}
