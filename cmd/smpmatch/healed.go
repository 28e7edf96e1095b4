package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/dots"
	"github.com/smpmatch/smpmatch/match/healed"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
	"github.com/urfave/cli/v2"
)

// newDotsMeasurer measures the healed dots of a follow-up photo for the
// observations' followup_photo column, as `smpmatch measure --dots` does
// (match/dots), with the same calibration options.
var newDotsMeasurer = func(c *cli.Context) (healed.PhotoMeasurer, error) {
	mopt, err := measureOptions(c)
	if err != nil {
		return nil, err
	}
	opt := dots.Options{Measure: mopt, MaxPixels: c.Int("max-pixels")}
	return healed.MeasurerFunc(func(p string) (colour.LabD50, error) {
		res, _, err := dots.MeasurePhoto(p, opt)
		if err != nil {
			return colour.LabD50{}, err
		}
		if !res.Dots.Found {
			return colour.LabD50{}, fmt.Errorf("no healed dots found in %s (smpmatch measure --dots %s --mask-out DIR shows what was seen)", p, p)
		}
		return res.Dots.Lab, nil
	}), nil
}

func healedCommand() *cli.Command {
	common := append([]cli.Flag{
		&cli.StringFlag{Name: "palette", Value: palettes.DefaultName, Usage: "the palette the recipes are written in: `FILE` or built-in name"},
		&cli.StringFlag{Name: "healed-model", Usage: "start from these healed-model parameters `FILE` instead of the built-in ones"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"},
	}, measureFlags()...)
	return &cli.Command{
		Name:  "healed",
		Usage: "learn from healed results: refit the healed-in-skin model, or check it, against your observations",
		Description: "Your own healed work teaches the model how your inks heal: list each healed area (the\n" +
			"client's scalp, the recipe, the weeks since, the healed colour or a follow-up photo) in an\n" +
			"observations file (see the README), check the model against it, then refit it.\n\n" +
			"Examples:\n" +
			"   smpmatch healed check observations.csv\n" +
			"   smpmatch healed fit observations.csv --out my-healed.json\n" +
			"   smpmatch match --hair-lab 22,2,3 --scalp-lab 60,10,16 --healed-model my-healed.json",
		Subcommands: []*cli.Command{
			{
				Name:      "fit",
				Usage:     "refit the healed model's parameters to an observations file and write them",
				ArgsUsage: "OBSERVATIONS.csv",
				Description: "Refits the healed-in-skin model to your measured healed results (see the README for the\n" +
					"observations file), reports the RMS ΔE00 of predicted against measured healed colour before\n" +
					"and after, and leaving one client out at a time, and writes the parameters for\n" +
					"match --healed-model. It refuses to fit more parameters than the observations support.\n\n" +
					"Example:\n   smpmatch healed fit observations.csv --palette my-inks.csv --out my-healed.json",
				Flags: append(append([]cli.Flag{}, common...),
					&cli.StringFlag{Name: "out", Usage: "write the refitted parameters to `FILE` (JSON; required)"},
					&cli.StringFlag{Name: "params", Usage: "refit these `NAMES` (comma-separated: " + strings.Join(optics.FitParams, ", ") + "); default: as many as the observations support"},
				),
				Action: runHealedFit,
			},
			{
				Name:      "check",
				Usage:     "print the predicted against the measured healed colour of every observation",
				ArgsUsage: "OBSERVATIONS.csv",
				Flags:     common,
				Action:    runHealedCheck,
				Description: "Predicts each observation's healed colour with the healed model (--healed-model, or the\nbuilt-in one) and prints it beside the measured one, with ΔE00 and the RMS over all.\n\n" +
					"Example:\n   smpmatch healed check observations.csv --healed-model my-healed.json",
			},
		},
	}
}

// loadObservations parses and resolves an observations file. A problem in
// the file is an input failure (exit 1) with every problem on its own line.
func loadObservations(c *cli.Context) ([]healed.Observation, *palettes.Palette, optics.HealedModel, *recipe.ModelSource, error) {
	model := optics.DefaultHealedModel()
	if c.NArg() != 1 {
		return nil, nil, model, nil, usagef("healed %s needs one observations file (CSV), got %d arguments", c.Command.Name, c.NArg())
	}
	path := c.Args().First()
	pal, err := openPalette(c.String("palette"))
	if err != nil {
		return nil, nil, model, nil, err
	}
	var src *recipe.ModelSource
	if p := c.String("healed-model"); p != "" {
		m, s, err := loadHealedModel(p)
		if err != nil {
			return nil, nil, model, nil, usageError{err}
		}
		model, src = m, s
	}
	rec, err := recipe.New(pal)
	if err != nil {
		return nil, nil, model, nil, fmt.Errorf("palette %s: %w", pal.Name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, model, nil, fmt.Errorf("observations: %w", err)
	}
	defer f.Close()
	rows, err := healed.Parse(f, path)
	if err != nil {
		return nil, nil, model, nil, observationsError(err)
	}
	mopt, err := measureOptions(c)
	if err != nil {
		return nil, nil, model, nil, err
	}
	// A client's areas usually share one before photo: measure it once.
	type measured struct {
		lab colour.LabD50
		err error
	}
	cache := map[string]measured{}
	ms := healed.Measurers{Scalp: healed.MeasurerFunc(func(p string) (colour.LabD50, error) {
		if m, ok := cache[p]; ok {
			return m.lab, m.err
		}
		lab, err := measureScalp(p, mopt, c.Int("max-pixels"))
		cache[p] = measured{lab, err}
		return lab, err
	})}
	if newDotsMeasurer != nil {
		if ms.Dots, err = newDotsMeasurer(c); err != nil {
			return nil, nil, model, nil, err
		}
	}
	obs, err := healed.Resolve(rows, path, filepath.Dir(path), pal, rec, ms)
	if err != nil {
		return nil, nil, model, nil, observationsError(err)
	}
	return obs, pal, model, src, nil
}

// measureScalp measures a before photo's scalp skin as `smpmatch measure`
// does; a failed or low-confidence measurement is an error.
func measureScalp(p string, mopt measure.Options, maxPixels int) (colour.LabD50, error) {
	res, _ := batch.Measure(p, filepath.Base(p), mopt, maxPixels)
	switch {
	case !res.OK:
		return colour.LabD50{}, errors.New(res.Error)
	case !res.Scalp.Found:
		return colour.LabD50{}, fmt.Errorf("%s: no scalp skin found", filepath.Base(p))
	case res.LowConfidence:
		return colour.LabD50{}, fmt.Errorf("%s: low-confidence measurement (%s); give scalp_L/a/b instead", filepath.Base(p), strings.Join(res.Warnings, "; "))
	}
	return res.Scalp.Lab, nil
}

// observationsError prints every problem of a file on its own line; the
// returned error summarises.
type problemsError struct{ lines []string }

func (p problemsError) Error() string { return strings.Join(p.lines, "\n") }

func observationsError(err error) error {
	var pe *healed.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	var lines []string
	for _, p := range pe.Problems {
		lines = append(lines, p.Error())
	}
	return problemsError{lines}
}

// fitJSON is the JSON output of healed fit.
type fitJSON struct {
	optics.CalibrationReport
	Palette     string                `json:"palette"`
	Out         string                `json:"out"`
	HealedModel string                `json:"healed_model"`
	Parameters  map[string][2]float64 `json:"parameters"`
	StartFile   *recipe.ModelSource   `json:"start_model_file,omitempty"`
}

func runHealedFit(c *cli.Context) error {
	if c.String("out") == "" {
		return usagef("healed fit needs --out FILE for the refitted parameters")
	}
	obs, pal, start, src, err := loadObservations(c)
	if err != nil {
		return err
	}
	var opt optics.FitOptions
	if s := c.String("params"); s != "" {
		for _, p := range strings.Split(s, ",") {
			p = strings.TrimSpace(p)
			known := false
			for _, k := range optics.FitParams {
				known = known || k == p
			}
			if !known {
				return usagef("--params: %q is not a parameter fit can refit (%s)", p, strings.Join(optics.FitParams, ", "))
			}
			opt.Params = append(opt.Params, p)
		}
	}
	path := c.Args().First()
	fitted, rep, err := healed.Fit(start, obs, path, opt)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(fitted, "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	out := c.String("out")
	if err := calibrate.WriteFileAtomic(out, append(data, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	params := map[string][2]float64{}
	for _, p := range optics.FitParams {
		params[p] = [2]float64{paramValue(start, p), paramValue(fitted, p)}
	}
	if c.Bool("json") {
		rep.Rows = nil
		b, err := json.Marshal(fitJSON{CalibrationReport: rep, Palette: pal.Name, Out: out, HealedModel: fitted.Version, Parameters: params, StartFile: src})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "observations  %s: %d healed areas of %d clients (palette %s %s)\n", path, rep.Observations, rep.Clients, pal.Name, pal.Version)
	var fp []string
	for _, p := range rep.Fitted {
		fp = append(fp, fmt.Sprintf("%s %.4g → %.4g", p, params[p][0], params[p][1]))
	}
	fmt.Fprintf(w, "refitted      %s\n", strings.Join(fp, ", "))
	if n := len(rep.Fitted); n < len(optics.FitParams) {
		fmt.Fprintf(w, "              (%d of %d parameters: %d need at least %d observations outside the client with the most)\n", n, len(optics.FitParams), n+1, optics.ObservationsNeeded(n+1))
	}
	fmt.Fprintf(w, "RMS ΔE00      before %.2f · after %.2f (in sample) · %.2f leaving one client out (what to expect for a new client)\n", rep.RMSBefore, rep.RMSAfter, rep.RMSCrossValidated)
	fmt.Fprintf(w, "wrote         %s (healed model %s): use it with match --healed-model %s\n", out, fitted.Version, out)
	return nil
}

func paramValue(m optics.HealedModel, name string) float64 {
	switch name {
	case "effective_concentration":
		return m.EffectiveConcentration
	case "epidermis_scattering_500":
		return m.EpidermisScattering500
	case "scattering_exponent":
		return m.ScatteringExponent
	}
	return 0
}

// checkRow is one line of healed check --json.
type checkRow struct {
	Line      int           `json:"line"`
	Client    string        `json:"client_id"`
	Recipe    string        `json:"recipe"`
	Weeks     float64       `json:"weeks"`
	Scalp     colour.LabD50 `json:"scalp_lab"`
	Measured  colour.LabD50 `json:"measured_lab"`
	Predicted colour.LabD50 `json:"predicted_lab"`
	DE00      float64       `json:"de00"`
}

func runHealedCheck(c *cli.Context) error {
	obs, _, model, src, err := loadObservations(c)
	if err != nil {
		return err
	}
	pred, err := optics.Predict(model, healed.ForOptics(obs))
	if err != nil {
		return err
	}
	var rows []checkRow
	var sum float64
	for i, o := range obs {
		de := colour.DeltaE00(pred[i], o.HealedLab)
		sum += de * de
		rows = append(rows, checkRow{o.Line, o.Client, o.Recipe, o.Weeks, o.ScalpLab, o.HealedLab, pred[i], de})
	}
	rms := 0.0
	if len(obs) > 0 {
		rms = math.Sqrt(sum / float64(len(obs)))
	}
	if c.Bool("json") {
		b, err := json.Marshal(struct {
			HealedModel     string              `json:"healed_model"`
			HealedModelFile *recipe.ModelSource `json:"healed_model_file,omitempty"`
			RMS             float64             `json:"rms_de00"`
			Observations    []checkRow          `json:"observations"`
		}{model.Version, src, rms, rows})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
		return err
	}
	return printCheck(c.App.Writer, model.Version, rows, rms)
}

func printCheck(w io.Writer, version string, rows []checkRow, rms float64) error {
	fmt.Fprintf(w, "healed model %s\n\n", version)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tCLIENT\tRECIPE\tWEEKS\tSCALP L* a* b*\tMEASURED L* a* b*\tPREDICTED L* a* b*\tΔE00")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t%s\t%s\t%s\t%.2f\n", r.Line, r.Client, r.Recipe, r.Weeks, labText(r.Scalp), labText(r.Measured), labText(r.Predicted), r.DE00)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nRMS ΔE00 %.2f over %d observations\n", rms, len(rows))
	return err
}
