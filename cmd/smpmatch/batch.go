package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
	"github.com/urfave/cli/v2"
)

func batchCommand() *cli.Command {
	return &cli.Command{
		Name:  "batch",
		Usage: "calibrate, measure and match folders of photos or a manifest; write results.jsonl, clients.csv and report.html",
		Description: "Each sub-folder of a FOLDER is one client (photos in the folder itself are one client\n" +
			"each; a FOLDER of photos with no sub-folders is one client's folder). Files whose name\n" +
			"contains \"card\" are card shots that calibrate the client's other photos. Or --manifest\n" +
			"CSV with columns client_id, photo[, profile, roi, target]. Open OUT/report.html to see\n" +
			"(and print) one sheet per client. A re-run with the same --out continues where an\n" +
			"interrupted run stopped. --merge OUT... joins the --out folders of --shard runs.\n\n" +
			"Examples:\n" +
			"   smpmatch batch consult/2026-12-06 --out results/2026-12-06\n" +
			"   smpmatch batch consult/2026-12-06/C002-jones --out results/jones --csv-bom",
		ArgsUsage: "FOLDER... | --manifest CSV | --merge OUT...",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "write results to `DIR` (required)"},
			&cli.StringFlag{Name: "manifest", Usage: "read clients and photos from the manifest `CSV`"},
			&cli.BoolFlag{Name: "allow-outside", Usage: "allow manifest paths that are absolute or leave the manifest's folder"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "process `N` photos at once"},
			&cli.StringFlag{Name: "shard", Usage: "process only shard `K/N` of the clients (for several machines; see --merge). Without it, a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (with --shards) or a Slurm array's SLURM_ARRAY_TASK_ID picks the shard"},
			&cli.IntFlag{Name: "shards", Usage: "the number of shards `N` when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job: the Job's completions)"},
			&cli.BoolFlag{Name: "merge", Usage: "merge the --out folders given as arguments into --out"},
			&cli.BoolFlag{Name: "csv-bom", Usage: "start clients.csv with a UTF-8 byte-order mark, so that Excel shows ΔE00, L*a*b* and accented names correctly"},
			&cli.StringFlag{Name: "target", Value: string(recipe.TargetMatch), Usage: "aim `lighter|match|darker` than the hair as stubble reads on the scalp"},
			&cli.StringFlag{Name: "target-lab", Usage: "aim for this healed colour `L,a,b` instead"},
			&cli.StringFlag{Name: "palette", Value: palettes.DefaultName, Usage: "built-in palette or your own .json/.csv: `NAME|FILE`"},
			&cli.StringFlag{Name: "healed-model", Usage: "healed-in-skin model parameters `FILE` (JSON, e.g. from smpmatch healed fit); named in the report, clients.csv and the JSON"},
			&cli.IntFlag{Name: "top", Value: recipe.DefaultTop, Usage: "list the best `N` blends"},
			&cli.IntFlag{Name: "max-pigments", Value: recipe.DefaultMaxPigments, Usage: "at most `N` pigments in a blend (diluent not counted)"},
			&cli.IntFlag{Name: "max-parts", Value: recipe.DefaultMaxParts, Usage: "at most `N` parts in a blend, diluent included"},
			&cli.Float64Flag{Name: "pigment-cost", Value: recipe.DefaultPigmentCost, Usage: "`ΔE00` an extra pigment must gain to outrank a simpler blend (0: rank by ΔE00 alone)"},
			&cli.Float64Flag{Name: "volume", Value: recipe.DefaultVolumeML, Usage: "`ML` of ink to mix: the report and clients.csv give the top blend in ml and drops of your bottles for it (another --volume on a re-run redoes no photo)"},
			&cli.Float64Flag{Name: "drop-ml", Value: recipe.DefaultDropML, Usage: "`ML` in one drop of your dropper bottles"},
		}, batchMeasureFlags()...),
		Action: runBatch,
	}
}

// batchMeasureFlags are measure's flags as batch takes them: those that
// describe one photo (--card-corners, --roi-mask) are hidden from the help
// and refused with a reason when given.
func batchMeasureFlags() []cli.Flag {
	fs := measureFlags()
	for _, f := range fs {
		if sf, ok := f.(*cli.StringFlag); ok && (sf.Name == "card-corners" || sf.Name == "roi-mask") {
			sf.Hidden = true
		}
	}
	return fs
}

func runBatch(c *cli.Context) error {
	out := c.String("out")
	if out == "" {
		return usagef("batch needs --out DIR")
	}
	if c.Bool("merge") {
		if c.NArg() == 0 {
			return usagef("batch --merge needs the --out folders of the shards as arguments")
		}
		if err := outsideInputs(out, c.Args().Slice()); err != nil {
			return err
		}
		if err := batch.Merge(c.Args().Slice(), out); err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "smpmatch: merged %d batch outputs into %s\n", c.NArg(), out)
		return nil
	}
	for _, f := range []string{"card-corners", "roi-mask"} {
		if c.IsSet(f) {
			return usagef("--%s applies to one photo: not available in batch (use a manifest's roi column)", f)
		}
	}
	clients, inputs, refused, err := batchInputs(c)
	if err != nil {
		return err
	}
	if err := outsideInputs(out, inputs); err != nil {
		return err
	}
	if err := notPhotos(out); err != nil {
		return err
	}
	shard, err := shardOf(c)
	if err != nil {
		return err
	}
	if shard != "" {
		k, n, err := batch.ParseShard(shard)
		if err != nil {
			return usageError{err}
		}
		if clients, err = batch.Shard(clients, k, n); err != nil {
			return usageError{err}
		}
	}
	if w := c.Int("workers"); w < 1 || w > 1024 {
		return usagef("--workers = %d is outside 1..1024", w)
	}
	mopt, err := measureOptions(c)
	if err != nil {
		return err
	}
	ropt, err := recipeOptions(c)
	if err != nil {
		return err
	}
	pal, err := openPalette(c.String("palette"))
	if err != nil {
		return err
	}
	rec, err := recipe.New(pal)
	if err != nil {
		return fmt.Errorf("palette %s: %w", pal.Name, err)
	}

	log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var progress batch.Progress = batch.NewLogProgress(log)
	if isTerminal(c.App.ErrWriter) {
		progress = batch.NewBar(c.App.ErrWriter)
	}
	// Ctrl-C (or SIGTERM) stops handing out photos; those in flight finish
	// and are saved. A second Ctrl-C kills at once (the state survives).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
			// Back to the default action: the next signal ends the
			// process at once.
			stop()
			fmt.Fprintln(c.App.ErrWriter, "smpmatch: stopping after the photos in flight (signal again to stop at once; the finished photos are saved)")
		case <-finished:
		}
	}()
	defer stop()
	sum, err := batch.Run(ctx, clients, batch.Options{
		Out:         out,
		Settings:    batch.Settings{Measure: mopt, Recommender: rec, Recipe: ropt, MaxPixels: c.Int("max-pixels")},
		Palette:     pal,
		ProfileName: c.String("profile"),
		Workers:     c.Int("workers"),
		Version:     version,
		Progress:    progress,
		Log:         log,
		Shard:       shard,
		CSVBOM:      c.Bool("csv-bom"),
	})
	if errors.Is(err, batch.ErrLocked) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "smpmatch: %d clients, %d photos (%d already done, %d failed); results in %s\n",
		sum.Clients, sum.Photos, sum.Resumed, sum.Failed, out)
	if refused > 0 {
		fmt.Fprintf(c.App.ErrWriter, "smpmatch: %d client ID(s) or photo name(s) refused (see above); the rest is in the results\n", refused)
	}
	if sum.Failed+refused > 0 {
		return partialFailure{failed: sum.Failed + refused, total: sum.Photos + refused}
	}
	return nil
}

// shardOf is --shard K/N, else the shard a job runner's environment gives
// (Kubernetes Indexed Job, Slurm array; see batch.ShardFromEnv), else "".
func shardOf(c *cli.Context) (string, error) {
	if s := c.String("shard"); s != "" {
		if c.IsSet("shards") {
			return "", usagef("give --shard K/N or --shards N, not both")
		}
		return s, nil
	}
	k, n, src, err := batch.ShardFromEnv(os.Getenv, c.Int("shards"))
	if err != nil {
		return "", usageError{err}
	}
	if n == 0 {
		return "", nil
	}
	fmt.Fprintf(c.App.ErrWriter, "smpmatch: shard %d/%d (from %s)\n", k, n, src)
	return fmt.Sprintf("%d/%d", k, n), nil
}

// batchInputs reads the clients from folders or a manifest and returns the
// folders outputs must stay out of (the input folders; the manifest's
// folder and its photos' folders) and how many IDs or names were refused
// (each said in a line; the rest carries on).
func batchInputs(c *cli.Context) ([]batch.Client, []string, int, error) {
	refused := 0
	if m := c.String("manifest"); m != "" {
		if c.NArg() > 0 {
			return nil, nil, 0, usagef("give folders or --manifest, not both")
		}
		// A regular file only, read to a bound: a named pipe or a device
		// given as the manifest would hang the batch or never end.
		data, err := batch.ReadInput(m, 64<<20)
		if err != nil {
			return nil, nil, 0, usagef("--manifest: %v", err)
		}
		dir := filepath.Dir(m)
		clients, err := batch.ParseManifest(bytes.NewReader(data), m, batch.ManifestOptions{Dir: dir, AllowOutside: c.Bool("allow-outside"),
			Refused: func(e *batch.ManifestError) {
				refused++
				fmt.Fprintf(c.App.ErrWriter, "smpmatch: skipping a row: %v\n", e)
			}})
		if err != nil {
			return nil, nil, 0, usageError{err}
		}
		inputs := []string{dir}
		seen := map[string]bool{}
		for _, cl := range clients {
			for _, p := range cl.Photos {
				if d := filepath.Dir(p.Path); !seen[d] {
					seen[d] = true
					inputs = append(inputs, d)
				}
			}
		}
		return clients, inputs, refused, nil
	}
	if c.NArg() == 0 {
		return nil, nil, 0, usagef("batch needs input FOLDERs or --manifest CSV")
	}
	for _, d := range c.Args().Slice() {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return nil, nil, 0, usagef("%s is not a folder (give folders of photos, or --manifest)", d)
		}
	}
	clients, skipped, err := batch.ScanFolders(c.Args().Slice())
	if err != nil {
		return nil, nil, 0, usageError{err}
	}
	for _, s := range skipped {
		if s.Refused {
			refused++
		}
		if batch.CheckText("", s.Path) != nil {
			// The path as it would print could rewrite the terminal.
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: skipping %+q: %s\n", s.Path, s.Reason)
			continue
		}
		fmt.Fprintf(c.App.ErrWriter, "smpmatch: skipping %s: %s\n", s.Path, s.Reason)
	}
	return clients, c.Args().Slice(), refused, nil
}

// outsideInputs refuses an --out that is an input folder, inside one or
// contains one: results written into a client's folder would be taken for
// photos by the next scan (or overwrite them), and an input inside --out
// is one rebuild away from the same.
func outsideInputs(out string, inputs []string) error {
	o, err := realAbs(out)
	if err != nil {
		return usagef("--out: %v", err)
	}
	within := func(a, b string) bool { // a is b or inside it
		rel, err := filepath.Rel(b, a)
		return err == nil && (rel == "." || filepath.IsLocal(rel))
	}
	for _, in := range inputs {
		i, err := realAbs(in)
		if err != nil {
			continue
		}
		switch {
		case o == i:
			return usagef("--out %s is the input folder %s: choose a folder outside the inputs", out, in)
		case within(o, i):
			return usagef("--out %s is inside the input folder %s: choose a folder outside it", out, in)
		case within(i, o):
			return usagef("--out %s contains the input folder %s: choose a folder outside the inputs", out, in)
		}
	}
	return nil
}

// notPhotos refuses an --out that already holds photos and is not a batch
// output (`batch --out C001 C002` with C001 a client's folder): results
// never land among photos.
func notPhotos(out string) error {
	if _, err := os.Stat(filepath.Join(out, "state")); err == nil {
		return nil // an earlier batch's output
	}
	var found string
	for _, pattern := range []string{"*", filepath.Join("*", "*")} {
		m, _ := filepath.Glob(filepath.Join(out, pattern))
		for _, p := range m {
			switch strings.ToLower(filepath.Ext(p)) {
			case ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".heic", ".heif":
				found = p
			}
			if found != "" {
				return usagef("--out %s holds photos (%s) and is not a batch output: choose an empty or new folder", out, found)
			}
		}
	}
	return nil
}

// realAbs resolves symlinks of the longest existing prefix of p.
func realAbs(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var tail []string
	for cur := a; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			for i := len(tail) - 1; i >= 0; i-- {
				r = filepath.Join(r, tail[i])
			}
			return r, nil
		}
		if cur == filepath.Dir(cur) {
			return a, nil
		}
		tail = append(tail, filepath.Base(cur))
	}
}

// isTerminal reports whether w is a character device (a terminal);
// golang.org/x/term is not a dependency.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
