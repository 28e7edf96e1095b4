package batch

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/recipe"
)

// atomicFile is an output written to a temporary file in its folder and
// renamed over the destination on Commit, so that a reader (or a crash)
// never sees half of it. Like calibrate.WriteFileAtomic, but streamed: the
// report of a large batch need not fit in memory.
type atomicFile struct {
	f    *os.File
	path string
	*bufio.Writer
}

func createAtomic(path string, fault faults) (*atomicFile, error) {
	if err := fault.check(path); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &atomicFile{f: f, path: path, Writer: bufio.NewWriterSize(f, 256<<10)}, nil
}

// Abort removes the temporary file (no-op after Commit).
func (a *atomicFile) Abort() {
	if a.f != nil {
		a.f.Close()
		os.Remove(a.f.Name())
		a.f = nil
	}
}

func (a *atomicFile) Commit() error {
	err := a.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(a.f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		a.f = nil
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	a.f = nil
	return nil
}

// WriteOutputs (re)builds results.jsonl, clients.csv, clients.jsonl and
// report.html in out from its index.json and state records, as a new
// generation (publish).
func WriteOutputs(out string) error {
	idx, err := readIndex(out)
	if err != nil {
		return err
	}
	return publish(out, idx, nil, nil)
}

// writeOutputs writes the index and the four outputs into the folder dir
// (a generation) from the state records under out.
func writeOutputs(out, dir string, idx Index, fault faults) error {
	b, err := json.MarshalIndent(idx, "", " ")
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	ist := store{dir: dir, fault: fault}
	if err := ist.write(filepath.Join(dir, indexName), append(b, '\n')); err != nil {
		return err
	}
	st := store{dir: filepath.Join(out, stateDir)}
	files := map[string]*atomicFile{}
	for _, n := range []string{resultsName, clientsName, clientsJSONName, reportName} {
		f, err := createAtomic(filepath.Join(dir, n), fault)
		if err != nil {
			for _, g := range files {
				g.Abort()
			}
			return err
		}
		files[n] = f
	}
	defer func() {
		for _, f := range files {
			f.Abort()
		}
	}()
	if idx.CSVBOM {
		// Excel reads a CSV without a byte-order mark as the PC's legacy
		// code page: ΔE00, L*a*b* and accented names come out garbled.
		if _, err := files[clientsName].WriteString("\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(files[clientsName])
	if err := cw.Write(clientsHeader); err != nil {
		return err
	}
	rep, err := newReport(files[reportName], idx)
	if err != nil {
		return err
	}
	for _, ic := range idx.Clients {
		var photos []PhotoMatch
		for _, ip := range ic.Photos {
			pm, ok := photoResult(st, ip)
			if !ok {
				return fmt.Errorf("%s: client %s photo %s: its state record is missing (state/%s.json)", out, ic.ID, ip.Name, ip.Key)
			}
			pm.ClientID, pm.Role = ic.ID, ip.Role
			pm.Result = idx.sized(pm.Result)
			if err := WriteContractJSON(files[resultsName], pm); err != nil {
				return fmt.Errorf("%s: %w", resultsName, err)
			}
			photos = append(photos, pm)
		}
		var crec clientRecord
		if !st.load(ic.ClientKey, &crec) {
			return fmt.Errorf("%s: client %s: its state record is missing (state/%s.json)", out, ic.ID, ic.ClientKey)
		}
		crec.Client.Recommendation = idx.sized(crec.Client.Recommendation)
		if err := cw.Write(clientRow(crec.Client)); err != nil {
			return fmt.Errorf("%s: %w", clientsName, err)
		}
		if err := WriteContractJSON(files[clientsJSONName], crec.Client); err != nil {
			return fmt.Errorf("%s: %w", clientsJSONName, err)
		}
		if err := rep.client(st, crec.Client, photos, ic.Photos); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("%s: %w", clientsName, err)
	}
	if err := rep.finish(); err != nil {
		return err
	}
	for _, n := range []string{resultsName, clientsName, clientsJSONName, reportName} {
		if err := files[n].Commit(); err != nil {
			return err
		}
	}
	return nil
}

// sized returns r with each blend's bottles resized for the index's cup and
// drop (recipe.Bottles.ForVolume): kept results may have been sized for
// another cup, which is not part of the settings fingerprint.
func (idx Index) sized(r *recipe.Result) *recipe.Result {
	if r == nil {
		return nil
	}
	c := *r
	c.Blends = append([]recipe.Blend(nil), r.Blends...)
	for i := range c.Blends {
		if b := c.Blends[i].Bottles; b != nil {
			if nb, err := b.ForVolume(idx.VolumeML, idx.DropML); err == nil {
				c.Blends[i].Bottles = &nb
			}
		}
	}
	return &c
}

// clientsHeader are clients.csv's columns: colours L*a*b* D50, contrast
// hair minus scalp, the top blend as a recipe string with its predicted
// healed colour and ΔE00 to the target, warnings joined by " | ". target
// is the target mode (match, lighter, darker; "lab" for --target-lab) and
// target_L/a/b the healed colour aimed at; error says in words why a client
// has no colours or no recommendation; odd_photos names the photos that
// disagree with the client's others. top_blend_bottles is the top blend in
// neat inks and water with ml and drops for the cup (bottlesText);
// healed_model and healed_model_file name the healed-in-skin model the
// recommendation used (the file as given to --healed-model, empty for the
// built-in model). With Index.CSVBOM the file starts with a UTF-8
// byte-order mark (for Excel).
var clientsHeader = []string{
	"client_id", "photos", "measured", "combined",
	"hair_L", "hair_a", "hair_b", "scalp_L", "scalp_a", "scalp_b",
	"contrast_de00", "contrast_dl", "contrast_ratio",
	"target", "target_L", "target_a", "target_b",
	"top_blend", "top_blend_healed_L", "top_blend_healed_a", "top_blend_healed_b", "top_blend_de00",
	"warnings", "error", "odd_photos",
	"top_blend_bottles", "healed_model", "healed_model_file",
}

// bottlesText says a mix in bottles on one line: "1 SMP Black (neat) + 8
// distilled water (shade 8): 0.11 ml = 2 drops SMP Black (neat) + 0.89 ml =
// 18 drops distilled water (for 1 ml; 1 drop = 0.05 ml)".
func bottlesText(b *recipe.Bottles) string {
	if b == nil {
		return ""
	}
	var amounts []string
	for _, p := range append(append([]recipe.BottlePart{}, b.Inks...), b.Diluent) {
		if p.Parts > 0 {
			amounts = append(amounts, fmt.Sprintf("%s = %s %s", mlText(p.ML), dropsText(p.Drops), p.Name))
		}
	}
	return fmt.Sprintf("%s: %s (for %s; 1 drop = %s)", b.Recipe, strings.Join(amounts, " + "), mlText(b.VolumeML), mlText(b.DropML))
}

// mlText is millilitres to 0.01 ml (a pipette's step), more digits only
// for amounts below it.
func mlText(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if v > 0 && v < 0.095 {
		s = strconv.FormatFloat(v, 'f', 3, 64)
	}
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " ml"
}

func dropsText(n int) string {
	if n == 1 {
		return "1 drop"
	}
	return strconv.Itoa(n) + " drops"
}

func clientRow(c ClientResult) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	lab := func(l *colour.LabD50) []string {
		if l == nil {
			return []string{"", "", ""}
		}
		return []string{f(l.L), f(l.A), f(l.B)}
	}
	row := []string{safeCell(c.ClientID), strconv.Itoa(c.Photos), strconv.Itoa(c.Measured), strconv.Itoa(c.Combined)}
	row = append(row, lab(c.Hair)...)
	row = append(row, lab(c.Scalp)...)
	if c.Hair != nil {
		row = append(row, f(c.ContrastDE00), f(c.ContrastDL), f(c.ContrastRatio))
	} else {
		row = append(row, "", "", "")
	}
	if r := c.Recommendation; r != nil {
		row = append(row, string(r.Target))
		row = append(row, lab(&r.TargetLab)...)
	} else {
		row = append(row, "", "", "", "")
	}
	if r := c.Recommendation; r != nil && len(r.Blends) > 0 {
		b := r.Blends[0]
		row = append(row, safeCell(b.Recipe))
		row = append(row, lab(&b.PredictedLab)...)
		row = append(row, f(b.DE00))
	} else {
		row = append(row, "", "", "", "", "")
	}
	row = append(row, safeCell(strings.Join(c.Warnings, " | ")), safeCell(c.Error), safeCell(strings.Join(c.OddPhotos, " | ")))
	if r := c.Recommendation; r != nil {
		bt := ""
		if len(r.Blends) > 0 {
			bt = bottlesText(r.Blends[0].Bottles)
		}
		file := ""
		if r.HealedModelFile != nil {
			file = r.HealedModelFile.Path
		}
		return append(row, safeCell(bt), safeCell(r.HealedModel), safeCell(file))
	}
	return append(row, "", "", "")
}

// safeCell defuses text a spreadsheet would run as a formula (CSV
// injection): a leading =, +, -, @ gets a quote in front.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

var _ io.Writer = (*atomicFile)(nil)
