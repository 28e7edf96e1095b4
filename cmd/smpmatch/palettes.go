package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
	"github.com/urfave/cli/v2"
)

// showScalp is the scalp the `palettes show` healed preview assumes unless
// told otherwise: a light scalp (ITA about 50°).
const showScalp = "64,9,15"

func palettesCommand() *cli.Command {
	return &cli.Command{
		Name:  "palettes",
		Usage: "list, show and check pigment palettes",
		Description: "A palette is the pigments (and diluent) match and batch mix from: a built-in one\n" +
			"or your own measured inks as JSON or CSV (see the README's Palettes section).\n\n" +
			"Examples:\n" +
			"   smpmatch palettes list\n" +
			"   smpmatch palettes check my-inks.csv",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the built-in palettes",
				Description: "Names, versions and pigment counts of the palettes built in.\n\n" +
					"Example:\n   smpmatch palettes list --json",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON Lines"}},
				Action: runPalettesList,
			},
			{
				Name:  "show",
				Usage: "show a palette's pigments and how each heals",
				Description: "Every pigment of a palette with its source and the colour it heals to, neat, in a\n" +
					"scalp (--scalp-lab).\n\n" +
					"Examples:\n   smpmatch palettes show smp-reference\n   smpmatch palettes show my-inks.csv --scalp-lab 45,14,24",
				ArgsUsage: "NAME|FILE",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print the palette as JSON"},
					&cli.StringFlag{Name: "scalp-lab", Value: showScalp, Usage: "scalp `L,a,b` for the healed preview"},
				},
				Action: runPalettesShow,
			},
			{
				Name:  "check",
				Usage: "validate palette files: ranges, duplicates, missing fields, with line and field",
				Description: "Reports every problem of each file with its line and field; exit 1 if any.\n\n" +
					"Example:\n   smpmatch palettes check my-inks.csv my-inks.json",
				ArgsUsage: "FILE...",
				Action:    runPalettesCheck,
			},
		},
	}
}

func runPalettesList(c *cli.Context) error {
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	if !c.Bool("json") {
		fmt.Fprintln(tw, "NAME\tVERSION\tPIGMENTS\tDESCRIPTION")
	}
	for _, name := range palettes.BuiltinNames() {
		p, err := palettes.Builtin(name)
		if err != nil {
			return fmt.Errorf("built-in palette %s: %w", name, err)
		}
		if c.Bool("json") {
			b, err := json.Marshal(struct {
				Name        string `json:"name"`
				Version     string `json:"version"`
				Pigments    int    `json:"pigments"`
				Description string `json:"description"`
			}{p.Name, p.Version, len(p.Pigments), p.Description})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%s\n", b)
			continue
		}
		desc := p.Description
		// First clause only: the full text is in `palettes show`.
		for _, sep := range []string{". ", ": "} {
			if i := strings.Index(desc, sep); i > 0 {
				desc = desc[:i]
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", p.Name, p.Version, len(p.Pigments), desc)
	}
	return tw.Flush()
}

func runPalettesShow(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("palettes show needs one palette NAME or FILE")
	}
	p, err := openPalette(c.Args().First())
	if err != nil {
		return err
	}
	if c.Bool("json") {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode palette: %w", err)
		}
		_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
		return err
	}
	scalp, err := parseLab(c.String("scalp-lab"), "scalp-lab")
	if err != nil {
		return err
	}
	r, err := recipe.New(p)
	if err != nil {
		return fmt.Errorf("palette %s: %w", p.Name, err)
	}
	w := c.App.Writer
	fmt.Fprintf(w, "%s %s (%s)\n%s\ndiluent: %s\n\n", p.Name, p.Version, p.File, p.Description, p.Diluent.Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tNAME\tKIND\tMASSTONE L* a* b*\tHEALED NEAT ON %v\tSOURCE\n", scalp)
	for _, pg := range p.Pigments {
		mass := "—"
		switch {
		case pg.DilutionOf != "":
			mass = fmt.Sprintf("1 %s : %g %s", pg.DilutionOf, pg.Dilution, p.Diluent.Name)
		case pg.Lab != nil:
			mass = labText(*pg.Lab)
		case pg.Spectrum != nil:
			mass = "(spectrum)"
		}
		healed, err := r.Predict([]recipe.Part{{Pigment: pg.ID, Parts: 1}}, 0, scalp, nil)
		if err != nil {
			return fmt.Errorf("palette %s pigment %s: %w", p.Name, pg.ID, err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%s\n", pg.ID, pg.Name, pg.Kind, mass, labText(healed), healed.Hex(), pg.Source)
	}
	return tw.Flush()
}

func runPalettesCheck(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("palettes check needs at least one FILE")
	}
	failed := 0
	for _, path := range c.Args().Slice() {
		p, err := palettes.Load(path)
		var ve *palettes.ValidationError
		switch {
		case errors.As(err, &ve):
			failed++
			for _, pr := range ve.Problems {
				fmt.Fprintln(c.App.Writer, pr.Error())
			}
		case err != nil:
			failed++
			fmt.Fprintf(c.App.Writer, "%s: %v\n", path, err)
		default:
			fmt.Fprintf(c.App.Writer, "%s: ok: palette %s %s, %d pigments, diluent %s\n", path, p.Name, p.Version, len(p.Pigments), p.Diluent.Name)
		}
	}
	if failed > 0 {
		return partialFailure{failed: failed, total: c.NArg()}
	}
	return nil
}
