package main

import (
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/urfave/cli/v2"
	"gocv.io/x/gocv"
)

func calibrateCommand() *cli.Command {
	return &cli.Command{
		Name:      "calibrate",
		Usage:     "find the ColorChecker in card photos and fit a colour correction",
		ArgsUsage: "PHOTO...",
		Description: "Fits one colour correction (a session profile) from one or more photos of a\n" +
			"ColorChecker Classic 24 / Mini / Passport classic page taken with the same camera\n" +
			"and light, and reports every patch's error in-sample and cross-validated.\n\n" +
			"Examples:\n" +
			"   smpmatch calibrate card.jpg --profile-out session.json\n" +
			"   smpmatch calibrate card1.jpg card2.jpg --debug-out /tmp/cards --json",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON Lines (one object per photo) instead of a table"},
			&cli.StringFlag{Name: "profile-out", Usage: "write the session profile (versioned JSON) to `FILE`"},
			&cli.StringFlag{Name: "debug-out", Usage: "write an annotated copy of each photo to `DIR`"},
			&cli.StringFlag{Name: "card-corners", Usage: "skip detection: chart corners `x1,y1,x2,y2,x3,y3,x4,y4` in pixels, next to patch 1, 6, 24, 19"},
			&cli.StringFlag{Name: "region", Usage: "search for the card only in `x,y,w,h` (pixels)"},
			&cli.IntFlag{Name: "max-pixels", Value: photo.DefaultMaxPixels, Usage: "refuse photos with more than `N` pixels"},
		},
		Action: runCalibrate,
	}
}

func parseFloats(s string, n int, what string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, usagef("%s needs %d comma-separated numbers, got %d in %q", what, n, len(parts), s)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usagef("%s: %q is not a finite number", what, p)
		}
		if math.Abs(v) > 1<<20 {
			return nil, usagef("%s: %q is outside -1048576..1048576 pixels", what, p)
		}
		out[i] = v
	}
	return out, nil
}

// parseRect reads a --roi or --region flag with measure.ParseRect; a bad
// value is a usage error naming the flag.
func parseRect(s, what string) (image.Rectangle, error) {
	r, err := measure.ParseRect(s)
	if err != nil {
		return image.Rectangle{}, usagef("%s %v", what, err)
	}
	return r, nil
}

func readOptions(c *cli.Context) (calibrate.ReadOptions, error) {
	var opt calibrate.ReadOptions
	if s := c.String("card-corners"); s != "" {
		v, err := parseFloats(s, 8, "--card-corners")
		if err != nil {
			return opt, err
		}
		var cs card.Corners
		for k := 0; k < 4; k++ {
			cs[k] = card.Point{X: v[2*k], Y: v[2*k+1]}
		}
		opt.Corners = &cs
	}
	if s := c.String("region"); s != "" {
		r, err := parseRect(s, "--region")
		if err != nil {
			return opt, err
		}
		opt.Detect.Region = r
	}
	return opt, nil
}

func runCalibrate(c *cli.Context) error {
	photos := c.Args().Slice()
	if len(photos) == 0 {
		return usagef("calibrate needs at least one PHOTO")
	}
	opt, err := readOptions(c)
	if err != nil {
		return err
	}
	debugDir := c.String("debug-out")
	if debugDir != "" {
		if err := os.MkdirAll(debugDir, 0o755); err != nil {
			return usagef("--debug-out: %v", err)
		}
	}
	results := make([]calibrate.PhotoResult, len(photos))
	var readings []calibrate.Reading
	var readingIdx []int
	for i, p := range photos {
		results[i] = calibrate.PhotoResult{Photo: p}
		img, _, err := photo.Load(p, photo.Options{MaxPixels: c.Int("max-pixels")})
		if err != nil {
			results[i].Error = err.Error()
			continue
		}
		r, err := calibrate.Read(p, img, opt)
		img.Close()
		if err != nil {
			results[i].Error = fmt.Sprintf("%s: %v", p, err)
			continue
		}
		readings = append(readings, r)
		readingIdx = append(readingIdx, i)
	}
	var sess *calibrate.Session
	if len(readings) > 0 {
		sess, err = calibrate.Fit(readings)
		if err != nil {
			for k, i := range readingIdx {
				results[i] = calibrate.Unfitted(readings[k], fmt.Errorf("%s: %w", photos[i], err))
			}
		} else {
			for k, i := range readingIdx {
				results[i] = sess.Results[k]
			}
		}
	}
	if debugDir != "" {
		for k, r := range readings {
			if err := writeDebug(debugDir, r, &results[readingIdx[k]], c.Int("max-pixels")); err != nil {
				fmt.Fprintf(c.App.ErrWriter, "smpmatch: %v\n", err)
			}
		}
	}
	// The profile is written before anything is printed: a reader that
	// closes the pipe early must not cost the session its profile.
	if out := c.String("profile-out"); out != "" && sess != nil {
		sess.Profile.Software = "smpmatch " + version
		if err := sess.Profile.Save(out); err != nil {
			return err
		}
	}
	failed := 0
	for _, r := range results {
		if !r.OK {
			failed++
		}
	}
	if c.Bool("json") {
		for _, r := range results {
			if err := batch.WriteContractJSON(c.App.Writer, r); err != nil {
				return fmt.Errorf("writing JSON: %w", err)
			}
		}
	} else {
		printCalibration(c.App.Writer, results)
	}
	for _, r := range results {
		if !r.OK {
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: %s\n", r.Error)
		}
	}
	if failed > 0 {
		return partialFailure{failed: failed, total: len(results)}
	}
	return nil
}

func writeDebug(dir string, r calibrate.Reading, res *calibrate.PhotoResult, maxPixels int) error {
	img, _, err := photo.Load(r.Photo, photo.Options{MaxPixels: maxPixels})
	if err != nil {
		return err
	}
	defer img.Close()
	calibrate.Annotate(&img, r, res)
	name := strings.TrimSuffix(filepath.Base(r.Photo), filepath.Ext(r.Photo)) + ".card.png"
	buf, err := gocv.IMEncode(gocv.PNGFileExt, img)
	if err != nil {
		return fmt.Errorf("debug image for %s: %w", r.Photo, err)
	}
	defer buf.Close()
	return calibrate.WriteFileAtomic(filepath.Join(dir, name), buf.GetBytes())
}

func printCalibration(w io.Writer, results []calibrate.PhotoResult) {
	for _, r := range results {
		if !r.OK && r.Card == nil {
			fmt.Fprintf(w, "%s: FAILED: %s\n\n", r.Photo, r.Error)
			continue
		}
		cd := r.Card
		fmt.Fprintf(w, "%s: card found (pitch %.1f px%s), corners", r.Photo, cd.PitchPx, map[bool]string{true: ", mirrored", false: ""}[cd.Mirrored])
		for _, p := range cd.Corners {
			fmt.Fprintf(w, " (%.1f, %.1f)", p[0], p[1])
		}
		if r.Fit == nil {
			fmt.Fprintf(w, "\n  FAILED: %s\n", r.Error)
			r.Fit = &calibrate.FitStats{}
		}
		fmt.Fprintf(w, "\n  encoding %s, model %s: ΔE00 mean %.2f max %.2f; cross-validated mean %.2f max %.2f (plain 3x3: %.2f); %d patches used\n",
			r.Encoding, r.Model, r.Fit.MeanDE00, r.Fit.MaxDE00, r.Fit.LooMeanDE00, r.Fit.LooMaxDE00, r.Fit.BaselineLooMeanDE00, r.Fit.UsedPatches)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tpatch\tcamera RGB\tcorrected L*a*b*\treference L*a*b*\tΔE00\tLOO ΔE00\tflags")
		for _, p := range r.Patches {
			loo := "-"
			if p.LooDE00 != nil {
				loo = fmt.Sprintf("%.2f", *p.LooDE00)
			}
			flags := strings.Join(p.Flags, ",")
			if !p.Used && flags == "" {
				flags = "unused"
			}
			fmt.Fprintf(tw, "  %d\t%s\t%.3f %.3f %.3f\t%.1f %.1f %.1f\t%.1f %.1f %.1f\t%.2f\t%s\t%s\n",
				p.Index, p.Name, p.RGB[0], p.RGB[1], p.RGB[2], p.Lab.L, p.Lab.A, p.Lab.B, p.RefLab.L, p.RefLab.A, p.RefLab.B, p.DE00, loo, flags)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
}
