package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
	"github.com/urfave/cli/v2"
)

func matchCommand() *cli.Command {
	return &cli.Command{
		Name:  "match",
		Usage: "recommend SMP ink blends for a client's hair and scalp colour",
		Description: "Predicts how each whole-part blend of the palette heals in this client's scalp\n" +
			"(Kubelka–Munk pigment mixing in the dermis, seen through the epidermis) and lists\n" +
			"the blends closest to the target: by default the hair colour as shaved stubble\n" +
			"reads on the scalp. The search is exact over every recipe of at most\n" +
			"--max-pigments pigments and --max-parts parts. Colours are L*a*b* D50.\n\n" +
			"Examples:\n" +
			"   smpmatch match crown.jpg --profile session.json            # measure the photo, then match\n" +
			"   smpmatch match --hair-lab 25,2,3 --scalp-lab 62,11,16 --target darker --json",
		ArgsUsage: "[PHOTO...]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "hair-lab", Usage: "hair colour `L,a,b` (L*a*b* D50)"},
			&cli.StringFlag{Name: "scalp-lab", Usage: "scalp colour `L,a,b` (L*a*b* D50)"},
			&cli.StringFlag{Name: "target", Value: string(recipe.TargetMatch), Usage: "aim `lighter|match|darker` than the hair as stubble reads on the scalp"},
			&cli.StringFlag{Name: "target-lab", Usage: "aim for this healed colour `L,a,b` instead (hair not needed)"},
			&cli.StringFlag{Name: "palette", Value: palettes.DefaultName, Usage: "built-in palette or your own .json/.csv: `NAME|FILE` (see: smpmatch palettes list)"},
			&cli.StringFlag{Name: "healed-model", Usage: "healed-in-skin model parameters `FILE` (JSON, as healed_model.json)"},
			&cli.IntFlag{Name: "top", Value: recipe.DefaultTop, Usage: "list the best `N` blends"},
			&cli.IntFlag{Name: "max-pigments", Value: recipe.DefaultMaxPigments, Usage: "at most `N` pigments in a blend (diluent not counted)"},
			&cli.IntFlag{Name: "max-parts", Value: recipe.DefaultMaxParts, Usage: "at most `N` parts in a blend, diluent included"},
			&cli.Float64Flag{Name: "volume", Value: recipe.DefaultVolumeML, Usage: "`ML` of ink to mix: each blend is also given in ml and drops of its bottles"},
			&cli.Float64Flag{Name: "drop-ml", Value: recipe.DefaultDropML, Usage: "`ML` in one drop of your dropper bottles"},
			&cli.Float64Flag{Name: "pigment-cost", Value: recipe.DefaultPigmentCost, Usage: "`ΔE00` an extra pigment must gain to outrank a simpler blend (0: rank by ΔE00 alone)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per target (JSON Lines) instead of a table"},
		}, measureFlags()...),
		Action: runMatch,
	}
}

// parseLab reads "L,a,b" into an L*a*b* D50 colour.
func parseLab(s, flag string) (colour.LabD50, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return colour.LabD50{}, usagef("--%s needs L,a,b (three comma-separated numbers), got %q", flag, s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return colour.LabD50{}, usagef("--%s: %q is not a finite number", flag, p)
		}
		v[i] = f
	}
	c := colour.LabD50{L: v[0], A: v[1], B: v[2]}
	if !c.IsFinite() || c.L < 0 || c.L > 100 {
		return colour.LabD50{}, usagef("--%s: L* = %g is outside 0..100", flag, c.L)
	}
	if math.Abs(c.A) > 128 || math.Abs(c.B) > 128 {
		return colour.LabD50{}, usagef("--%s: a* = %g, b* = %g: each must be within -128..128", flag, c.A, c.B)
	}
	return c, nil
}

// matchOptions turns the flags into recipe options and inputs.
func matchOptions(c *cli.Context) (hair, scalp colour.LabD50, opt recipe.Options, err error) {
	photos := c.NArg() > 0
	if photos && (c.IsSet("hair-lab") || c.IsSet("scalp-lab")) {
		return hair, scalp, opt, usagef("give photos or --hair-lab/--scalp-lab, not both")
	}
	if !photos && !c.IsSet("scalp-lab") {
		return hair, scalp, opt, usagef("match needs --scalp-lab L,a,b")
	}
	if !photos {
		if scalp, err = parseLab(c.String("scalp-lab"), "scalp-lab"); err != nil {
			return
		}
	}
	if !c.IsSet("target-lab") && !c.IsSet("hair-lab") && !photos {
		return hair, scalp, opt, usagef("match needs --hair-lab L,a,b (or an explicit --target-lab)")
	}
	if opt, err = recipeOptions(c); err != nil {
		return hair, scalp, opt, err
	}
	if c.IsSet("hair-lab") {
		if hair, err = parseLab(c.String("hair-lab"), "hair-lab"); err != nil {
			return
		}
	}
	return hair, scalp, opt, nil
}

// recipeOptions reads the search flags shared by match and batch: target or
// target-lab, top, max-pigments, max-parts, pigment-cost, healed-model.
func recipeOptions(c *cli.Context) (opt recipe.Options, err error) {
	switch {
	case c.IsSet("target-lab"):
		if c.IsSet("target") {
			return opt, usagef("give either --target or --target-lab, not both")
		}
		t, err := parseLab(c.String("target-lab"), "target-lab")
		if err != nil {
			return opt, err
		}
		opt.TargetLab = &t
	default:
		if opt.Target, err = recipe.ParseTargetMode(c.String("target")); err != nil {
			return opt, usageError{err}
		}
	}
	for _, f := range []struct {
		name string
		v    int
		max  int
	}{{"top", c.Int("top"), 100}, {"max-pigments", c.Int("max-pigments"), recipe.MaxMaxPigments}, {"max-parts", c.Int("max-parts"), recipe.MaxMaxParts}} {
		if f.v < 1 || f.v > f.max {
			return opt, usagef("--%s = %d is outside 1..%d", f.name, f.v, f.max)
		}
	}
	opt.Top, opt.MaxPigments, opt.MaxParts = c.Int("top"), c.Int("max-pigments"), c.Int("max-parts")
	switch cost := c.Float64("pigment-cost"); {
	case cost < 0:
		return opt, usagef("--pigment-cost = %g must not be negative", cost)
	case cost == 0:
		opt.PigmentCost = -1 // rank by ΔE00 alone
	default:
		opt.PigmentCost = cost
	}
	if c.IsSet("volume") || c.IsSet("drop-ml") {
		v, d := c.Float64("volume"), c.Float64("drop-ml")
		if !(v > 0) || !(d > 0) || d > v {
			return opt, usagef("--volume %g and --drop-ml %g must be positive, the drop no larger than the volume", v, d)
		}
		opt.VolumeML, opt.DropML = v, d
	}
	if path := c.String("healed-model"); path != "" {
		m, src, err := loadHealedModel(path)
		if err != nil {
			return opt, usageError{err}
		}
		opt.Model, opt.ModelSource = &m, src
	}
	return opt, nil
}

// loadHealedModel reads a healed-model file and names it by path and
// SHA-256 for the outputs.
func loadHealedModel(path string) (optics.HealedModel, *recipe.ModelSource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return optics.HealedModel{}, nil, fmt.Errorf("--healed-model: %w", err)
	}
	m, err := optics.LoadHealedModel(bytes.NewReader(data))
	if err != nil {
		return m, nil, fmt.Errorf("--healed-model %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return m, &recipe.ModelSource{Path: path, SHA256: hex.EncodeToString(sum[:])}, nil
}

func openPalette(name string) (*palettes.Palette, error) {
	p, err := palettes.Open(name)
	var ve *palettes.ValidationError
	switch {
	case errors.As(err, &ve):
		return nil, usagef("%v (run: smpmatch palettes check %s)", err, name)
	case err != nil:
		return nil, usagef("%v", err)
	}
	return p, nil
}

func runMatch(c *cli.Context) error {
	hair, scalp, opt, err := matchOptions(c)
	if err != nil {
		return err
	}
	pal, err := openPalette(c.String("palette"))
	if err != nil {
		return err
	}
	r, err := recipe.New(pal)
	if err != nil {
		return fmt.Errorf("palette %s: %w", pal.Name, err)
	}
	if c.NArg() > 0 {
		return runMatchPhotos(c, r, opt)
	}
	res, err := r.Recommend(hair, scalp, opt)
	if err != nil {
		return usageError{err}
	}
	if c.Bool("json") {
		return batch.WriteContractJSON(c.App.Writer, res)
	}
	return printMatch(c.App.Writer, res)
}

func labText(c colour.LabD50) string {
	return fmt.Sprintf("%5.1f %5.1f %5.1f", c.L, c.A, c.B)
}

// printMatch writes the human-readable table.
func printMatch(w io.Writer, res recipe.Result) error {
	how := "explicit target"
	if res.Target != recipe.TargetExplicit {
		how = fmt.Sprintf("%s: hair %v as stubble (%.0f%% of the follicle) on scalp %v", res.Target, *res.HairLab, 100*res.StubbleCoverage, res.ScalpLab)
	}
	fmt.Fprintf(w, "target   %v %s  (%s)\n", res.TargetLab, res.TargetLab.Hex(), how)
	model := res.HealedModel
	if res.HealedModelFile != nil {
		model += fmt.Sprintf(" (%s, sha256 %.12s)", res.HealedModelFile.Path, res.HealedModelFile.SHA256)
	}
	fmt.Fprintf(w, "palette  %s %s; healed model %s; exact search over %d recipes\n", res.Palette, res.PaletteVersion, model, res.Search.Recipes)
	if res.Skin != nil {
		fmt.Fprintf(w, "skin     epidermal melanin %.1f%%, dermal blood %.2f%% (fitted to the scalp colour, %.2f ΔE00)\n", 100*res.Skin.MelaninFraction, 100*res.Skin.BloodFraction, res.Skin.FitDE00)
	}
	if res.Gamut != "" {
		fmt.Fprintf(w, "WARNING  %s\n", res.Gamut)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tRECIPE (parts)\tHEALED L* a* b*\tSWATCH\tΔE00\tΔE00 UNDER A\tWARNINGS")
	for i, b := range res.Blends {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2f\t%.2f\t%s\n", i+1, b.Recipe, labText(b.PredictedLab), b.PredictedLab.Hex(), b.DE00, b.DE00InA, strings.Join(b.Warnings, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printBottles(w, res.Blends)
}

// printBottles lists each blend in neat inks and water, in parts and in
// millilitres and drops for the volume asked.
func printBottles(w io.Writer, blends []recipe.Blend) error {
	if len(blends) == 0 || blends[0].Bottles == nil {
		return nil
	}
	b0 := blends[0].Bottles
	fmt.Fprintf(w, "\nIN YOUR BOTTLES (neat inks and water; for %g ml, 1 drop = %g ml)\n", b0.VolumeML, b0.DropML)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, b := range blends {
		if b.Bottles == nil {
			continue
		}
		var amounts []string
		for _, p := range append(append([]recipe.BottlePart{}, b.Bottles.Inks...), b.Bottles.Diluent) {
			if p.Parts > 0 {
				amounts = append(amounts, fmt.Sprintf("%.2f ml (%d drops) %s", p.ML, p.Drops, p.Name))
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", i+1, b.Bottles.Recipe, strings.Join(amounts, " + "))
	}
	return tw.Flush()
}

// photoMatch is one photo's result of `match PHOTO...`: the measurement and,
// inline, the recommendation (the same fields as `match --hair-lab`).
type photoMatch = batch.PhotoMatch

// recommendFor runs the per-photo pipeline of match/batch on one photo.
func recommendFor(path string, mopt measure.Options, maxPixels int, r *recipe.Recommender, opt recipe.Options) (photoMatch, *measure.Artifacts) {
	return batch.ProcessPhoto(path, path, batch.Settings{Measure: mopt, Recommender: r, Recipe: opt, MaxPixels: maxPixels})
}

func runMatchPhotos(c *cli.Context, r *recipe.Recommender, opt recipe.Options) error {
	mopt, err := measureOptions(c)
	if err != nil {
		return err
	}
	failed := 0
	for _, p := range c.Args().Slice() {
		pm, _ := recommendFor(p, mopt, c.Int("max-pixels"), r, opt)
		if !pm.OK {
			failed++
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: %s\n", pm.Error)
		}
		if c.Bool("json") {
			if err := batch.WriteContractJSON(c.App.Writer, pm); err != nil {
				return err
			}
			continue
		}
		printMeasure(c.App.Writer, *pm.Measurement)
		if pm.OK {
			if err := printMatch(c.App.Writer, *pm.Result); err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer)
		}
	}
	if failed > 0 {
		return partialFailure{failed: failed, total: c.NArg()}
	}
	return nil
}
