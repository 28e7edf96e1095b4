package batch

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"html/template"
	"image"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/recipe"
)

// report writes report.html: a self-contained page (no network; pictures
// inline as data: URIs) with one section per client.
type report struct {
	w   io.Writer
	idx Index
}

type swatch struct {
	Label, Hex, Lab string
	Style           template.CSS
	Detail          string
	DE00            string
	Warnings        []string
}

// recipeLine is one ingredient of a recipe as the practitioner measures
// it out: Amount Unit of Name ("2 parts SMP Black"), and in the bottles
// ML and Drops for the cup ("0.22 ml", "4 drops").
type recipeLine struct {
	Amount, Unit, Name string
	ML, Drops          string
}

// recipeView is the top blend as a recipe to mix.
type recipeView struct {
	Title string
	Lines []recipeLine
	// Shade says the shade number when the mix is one ink and water.
	Shade string
	// Note says how the amounts are meant (e.g. "parts by volume").
	Note string
}

type photoRow struct {
	Name, Role, Status, Hair, Scalp, Contrast, Confidence, Top, Taken string
	Failed, Low, Odd                                                  bool
}

type clientView struct {
	ID                                 string
	Photos, Measured, Combined, Failed int
	// Taken is when the photos were taken, and how that is known.
	Taken                          string
	Corrected, Overlay, Zoom, Dots template.URL
	// Raw is true when Corrected is a photo as taken (the client could not
	// be measured).
	Raw       bool
	DotsInk   string
	Hair      *swatch
	Scalp     *swatch
	Top       *swatch
	Recipe    *recipeView
	Blends    []swatch
	Target    *swatch
	Warnings  []string
	Error     string
	OddPhotos []string
	Rows      []photoRow
}

// reportHead is what the report's header and footer say about the run.
type reportHead struct {
	Index
	Clients, Photos int
	Run             string
	// Model names the healed-in-skin model: its version, and its file's
	// name and SHA-256 prefix when given with --healed-model.
	Model string
	// Cup is the volume the bottles are measured out for, and the drop.
	Cup string
}

func newReport(w io.Writer, idx Index) (*report, error) {
	r := &report{w: w, idx: idx}
	if err := reportTmpl.ExecuteTemplate(w, "head", r.head()); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return r, nil
}

func (r *report) head() reportHead {
	idx := r.idx
	h := reportHead{Index: idx, Clients: len(idx.Clients), Run: idx.Created}
	for _, c := range idx.Clients {
		h.Photos += len(c.Photos)
	}
	if h.Run == "" {
		h.Run = time.Now().UTC().Format("2006-01-02")
	}
	switch f := idx.HealedModelFile; {
	case f != nil:
		h.Model = fmt.Sprintf("%s (%s, sha256 %.12s)", filepath.Base(f.Path), idx.HealedModel, f.SHA256)
	case idx.HealedModel != "":
		h.Model = idx.HealedModel + " (built-in)"
	}
	vol, drop := idx.VolumeML, idx.DropML
	if vol == 0 {
		vol = recipe.DefaultVolumeML
	}
	if drop == 0 {
		drop = recipe.DefaultDropML
	}
	h.Cup = fmt.Sprintf("%s, 1 drop = %s", mlText(vol), mlText(drop))
	return h
}

func (r *report) finish() error {
	if err := reportTmpl.ExecuteTemplate(r.w, "foot", r.head()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func labStr(c colour.LabD50) string { return fmt.Sprintf("L*a*b* %.1f, %.1f, %.1f", c.L, c.A, c.B) }

func sw(label string, c colour.LabD50, detail string) swatch {
	return swatch{Label: label, Hex: c.Hex(), Lab: labStr(c), Style: template.CSS("background-color:" + c.Hex()), Detail: detail}
}

func dataURI(mime string, b []byte) template.URL {
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b))
}

func partsUnit(n int) string {
	if n == 1 {
		return "part"
	}
	return "parts"
}

// recipeOf turns a blend into the lines of a recipe: in the practitioner's
// bottles (neat inks and water) with ml and drops for the cup when the
// blend has them, else in parts of the palette's inks.
func recipeOf(b recipe.Blend) *recipeView {
	if bt := b.Bottles; bt != nil {
		v := &recipeView{Title: "Mix " + mlText(bt.VolumeML) + " in your bottles"}
		for _, p := range append(append([]recipe.BottlePart{}, bt.Inks...), bt.Diluent) {
			if p.Parts > 0 {
				v.Lines = append(v.Lines, recipeLine{Amount: fmt.Sprint(p.Parts), Unit: partsUnit(p.Parts), Name: p.Name, ML: mlText(p.ML), Drops: dropsText(p.Drops)})
			}
		}
		if sh := bt.Shade; sh != nil && len(bt.Inks) == 1 {
			n := strconv.FormatFloat(math.Round(*sh*100)/100, 'f', -1, 64)
			v.Shade = fmt.Sprintf("Shade %s: %s %s of %s to 1 of %s", n, n, partsUnit(2), bt.Diluent.Name, bt.Inks[0].Name)
			if *sh == 0 {
				v.Shade = "Shade 0: " + bt.Inks[0].Name + " neat, no " + bt.Diluent.Name
			} else if *sh == 1 {
				v.Shade = fmt.Sprintf("Shade 1: 1 part of %s to 1 of %s", bt.Diluent.Name, bt.Inks[0].Name)
			}
		}
		v.Note = fmt.Sprintf("Neat inks and water, parts by volume; ml and drops for %s with 1 drop = %s (drops rounded, at least 1). As the palette lists it: %s.", mlText(bt.VolumeML), mlText(bt.DropML), b.Recipe)
		return v
	}
	v := &recipeView{Title: "Mix (parts by volume)", Note: "Whole parts of each pigment as supplied; the diluent thins the blend."}
	unit := partsUnit
	for _, p := range b.Parts {
		v.Lines = append(v.Lines, recipeLine{Amount: fmt.Sprint(p.Parts), Unit: unit(p.Parts), Name: p.Name})
	}
	if b.DiluentParts > 0 {
		name := "diluent"
		if i := strings.LastIndex(b.Recipe, " + "); i >= 0 {
			last := b.Recipe[i+3:]
			if j := strings.IndexByte(last, ' '); j > 0 && last[:j] == fmt.Sprint(b.DiluentParts) {
				name = last[j+1:]
			}
		}
		v.Lines = append(v.Lines, recipeLine{Amount: fmt.Sprint(b.DiluentParts), Unit: unit(b.DiluentParts), Name: name})
	}
	return v
}

// takenRange says when photos were taken: one day or a range, and whether
// the camera's date or the file's.
func takenRange(days []string, from map[string]bool) string {
	if len(days) == 0 {
		return "unknown"
	}
	sort.Strings(days)
	s := days[0]
	if last := days[len(days)-1]; last != s {
		s += " to " + last
	}
	switch {
	case from["exif"] && from["file"]:
		return s + " (camera date; file date where the camera gave none)"
	case from["exif"]:
		return s + " (camera date)"
	}
	return s + " (file date: the photos carry no camera date)"
}

func (r *report) client(st store, c ClientResult, photos []PhotoMatch, ips []IndexPhoto) error {
	v := clientView{ID: c.ClientID, Photos: c.Photos, Measured: c.Measured, Combined: c.Combined, Warnings: c.Warnings, Error: c.Error, OddPhotos: c.OddPhotos}
	odd := map[string]bool{}
	for _, n := range c.OddPhotos {
		odd[n] = true
	}
	var days []string
	from := map[string]bool{}
	fallback := ""
	for i, pm := range photos {
		row := photoRow{Name: pm.Photo, Role: pm.Role, Failed: !pm.OK, Odd: odd[pm.Photo]}
		if i < len(ips) && ips[i].Key != "" && pm.Role != RoleCard {
			var rec photoRecord
			if st.load(ips[i].Key, &rec) {
				if rec.Taken != "" {
					row.Taken = rec.Taken
					days = append(days, rec.Taken)
					from[rec.TakenFrom] = true
				}
				if fallback == "" && (rec.Thumbs || rec.RawThumb) {
					fallback = ips[i].Key
				}
			}
		}
		switch {
		case !pm.OK:
			row.Status = pm.Error
			v.Failed++
		case pm.Role == RoleCard && pm.CardFit != nil && pm.CardFit.Fit != nil:
			row.Status = fmt.Sprintf("card fit: cross-validated ΔE00 %.2f", pm.CardFit.Fit.LooMeanDE00)
		case pm.Role == RoleCard:
			row.Status = pm.Note
		default:
			row.Status = "corrected by " + pm.Measurement.Correction
		}
		if m := pm.Measurement; m != nil && m.OK {
			if m.Hair.Found {
				row.Hair = fmt.Sprintf("%.1f, %.1f, %.1f", m.Hair.Lab.L, m.Hair.Lab.A, m.Hair.Lab.B)
			}
			if m.Scalp.Found {
				row.Scalp = fmt.Sprintf("%.1f, %.1f, %.1f", m.Scalp.Lab.L, m.Scalp.Lab.A, m.Scalp.Lab.B)
			}
			if m.Hair.Found && m.Scalp.Found {
				row.Contrast = fmt.Sprintf("%.1f", m.Contrast.DE00)
			}
			row.Confidence = fmt.Sprintf("%.2f", m.Confidence)
			row.Low = m.LowConfidence
		}
		if pm.Result != nil && len(pm.Result.Blends) > 0 {
			row.Top = fmt.Sprintf("%s (ΔE00 %.2f)", pm.Result.Blends[0].Recipe, pm.Result.Blends[0].DE00)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Taken = takenRange(days, from)
	if c.Hair != nil {
		h, s := sw("Hair", *c.Hair, "measured: median of the photos"), sw("Scalp", *c.Scalp, "measured: median of the photos")
		v.Hair, v.Scalp = &h, &s
	}
	if rec := c.Recommendation; rec != nil {
		t := sw("Target", rec.TargetLab, fmt.Sprintf("%s: the hair as shaved stubble reads on this scalp", rec.Target))
		if rec.Target == recipe.TargetExplicit {
			t.Detail = "the healed colour asked for"
		}
		v.Target = &t
		for i, b := range rec.Blends {
			s := sw(fmt.Sprintf("#%d", i+1), b.PredictedLab, b.Recipe)
			s.DE00 = fmt.Sprintf("ΔE00 %.2f to the target · under tungsten %.2f", b.DE00, b.DE00InA)
			s.Warnings = b.Warnings
			if i == 0 {
				top := s
				top.Label = "Top blend, healed"
				v.Top = &top
				v.Recipe = recipeOf(b)
				continue
			}
			v.Blends = append(v.Blends, s)
		}
	}
	key := c.Representative
	if key == "" {
		key = fallback
	}
	if key != "" {
		var rec photoRecord
		if st.load(key, &rec) && (rec.Thumbs || rec.RawThumb) {
			v.Raw = !rec.Thumbs
			for _, im := range []struct {
				name string
				dst  *template.URL
			}{{thumbCorrected, &v.Corrected}, {thumbOverlay, &v.Overlay}, {thumbZoom, &v.Zoom}} {
				if v.Raw && im.name != thumbCorrected {
					continue
				}
				if b, err := readBounded(st.path(key, im.name), maxStateBytes); err == nil {
					*im.dst = dataURI("image/jpeg", b)
				}
			}
			if c.Recommendation != nil && len(c.Recommendation.Blends) > 0 && v.Zoom != "" {
				ink := c.Recommendation.Blends[0].PredictedLab
				v.DotsInk = c.Recommendation.Blends[0].Recipe
				if b, err := dotsPicture(st, key, ink, rec.ZoomMMPerPx, c.ClientID); err == nil {
					v.Dots = dataURI("image/jpeg", b)
				}
			}
		}
	}
	if err := reportTmpl.ExecuteTemplate(r.w, "client", v); err != nil {
		return fmt.Errorf("report: client %s: %w", c.ClientID, err)
	}
	return nil
}

func dotsPicture(st store, key string, ink colour.LabD50, mmPerPx float64, id string) ([]byte, error) {
	zoom, err := readImage(st.path(key, thumbZoom))
	if err != nil {
		return nil, err
	}
	var mask *image.Gray
	if m, err := readImage(st.path(key, thumbZoomMask)); err == nil {
		if g, ok := m.(*image.Gray); ok && g.Bounds().Eq(zoom.Bounds()) {
			mask = g
		}
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	img := SimulateDots(zoom, mask, ink, mmPerPx, h.Sum64())
	return encodeJPEG(img, 90)
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(reportHTML))

// The page is plain HTML and CSS: it must open from a USB stick on a
// clinic PC without network, and print one client per A4 or Letter page
// (the print layout fits 190 × 255 mm, the smaller of the two less 10 mm
// margins).
const reportHTML = `{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>smpmatch: practitioner's sheets</title>
<style>
:root{--ink:#1d2327;--muted:#5f6b73;--line:#dde2e6;--bg:#f4f5f7;--card:#fff;--warn:#8a5100;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:#22313a;color:#fff;padding:18px 32px}
header.top h1{margin:0 0 6px;font-size:21px;font-weight:600}
header.top dl{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0;font-size:13px;color:#cfd8dc}
header.top dt{display:inline;font-weight:600;color:#fff}
header.top dd{display:inline;margin:0 0 0 6px}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}
section.client{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 22px;padding:18px 22px;break-inside:avoid}
.ch{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:4px 20px;border-bottom:2px solid #22313a;padding-bottom:6px;margin-bottom:10px}
.ch h2{margin:0;font-size:24px}
.ch .dates{font-size:13px;color:var(--muted)}
.sub{color:var(--muted);font-size:13px;margin:2px 0 10px}
.failbox{border:2px solid var(--bad);border-radius:8px;padding:8px 12px;margin:8px 0 12px;color:var(--bad);font-weight:600}
.sheet{display:flex;flex-wrap:wrap;gap:14px;align-items:stretch;margin:6px 0 14px}
.big{width:190px;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff;display:flex;flex-direction:column}
.big .chip{height:130px}
.big .chip.scalp{height:46px;border-top:1px solid var(--line)}
.big .txt{padding:6px 9px;font-size:12.5px;line-height:1.35}
.big .lbl{font-weight:700;font-size:15px}
.big.target{border:2px solid #22313a}
.big.top{border:3px solid #2e7d46}
.recipe{flex:1;min-width:230px;border:3px solid #2e7d46;border-radius:8px;padding:10px 14px;background:#f6fbf7}
.recipe h3{margin:0 0 6px;font-size:16px}
.recipe table{font-size:16px;margin:0}
.recipe td{border:0;padding:2px 8px 2px 0}
.recipe td.amt{font-weight:700;text-align:right;font-variant-numeric:tabular-nums}
.recipe td{vertical-align:top}
.recipe .mld{font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap;margin:0 0 3px}
.recipe .shade{font-weight:600;font-size:14px;margin-top:4px}
.recipe .de{font-weight:600;margin-top:6px;font-size:13px}
.recipe .note{color:var(--muted);font-size:12px}
.pics{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin:8px 0 12px}
.pics.one{grid-template-columns:minmax(0,360px)}
figure{margin:0}
figure img{width:100%;height:auto;display:block;border-radius:6px;border:1px solid var(--line);background:#eee}
figcaption{font-size:12px;color:var(--muted);margin-top:3px}
.others{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 10px}
.sw{width:150px;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff;display:flex;flex-direction:column}
.sw .chip{height:40px}
.sw .txt{padding:4px 7px;font-size:11.5px;line-height:1.3;flex:1}
.sw .lbl{font-weight:600}
.warn{color:var(--warn);font-size:13px;margin:3px 0}
.err{color:var(--bad);font-weight:600}
h4{margin:10px 0 2px;font-size:13px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
table.photos{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:4px}
table.photos th,table.photos td{text-align:left;padding:3px 7px;border-bottom:1px solid var(--line);vertical-align:top}
table.photos th{color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
td.st{overflow-wrap:anywhere}
tr.failed td{color:var(--bad)}
tr.low td{color:var(--warn)}
tr.odd td{background:#fff4e0}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 30px}
@page{margin:10mm}
@media print{
 body{background:#fff;font-size:11px}
 header.top{background:#fff;color:var(--ink);padding:0 0 4px;border-bottom:1px solid var(--line)}
 header.top h1{font-size:14px;margin:0 0 2px}
 header.top dl{color:var(--muted);font-size:10px}
 header.top dt{color:var(--ink)}
 main{max-width:none;padding:0}
 section.client{border:0;border-radius:0;margin:0;padding:4mm 0 0;break-inside:avoid;page-break-inside:avoid}
 section.client + section.client{break-before:page;page-break-before:always}
 .ch h2{font-size:20px}
 .sheet{gap:3mm;margin:2mm 0 3mm}
 .big{width:38mm}
 .big .chip{height:26mm}
 .big .chip.scalp{height:9mm}
 .big .txt{font-size:9.5px;padding:3px 5px}
 .big .lbl{font-size:11.5px}
 .sub,.recipe .note{font-size:9.5px}
 .recipe{min-width:60mm;padding:3mm 4mm}
 .recipe table{font-size:13px}
 .recipe .shade{font-size:11.5px}
 .recipe .mld{font-size:12px}
 .pics{gap:3mm;margin:2mm 0 3mm}
 .pics.one{grid-template-columns:70mm}
 figure img{max-height:45mm;object-fit:contain}
 figcaption{font-size:9px}
 .sw{width:36mm}
 .sw .chip{height:8mm}
 .sw .txt{font-size:8.5px}
 .warn{font-size:10px}
 table.photos{font-size:9px}
 footer{display:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
</style></head><body>
<header class="top"><h1>smpmatch: practitioner's sheets</h1>
<dl><div><dt>Run</dt><dd>{{.Run}}</dd></div><div><dt>Clients</dt><dd>{{.Clients}}</dd></div><div><dt>Photos</dt><dd>{{.Photos}}</dd></div>
<div><dt>Palette</dt><dd>{{.Palette}}</dd></div><div><dt>Profile</dt><dd>{{.Profile}}</dd></div>
{{if .Model}}<div><dt>Healed model</dt><dd>{{.Model}}</dd></div>{{end}}<div><dt>Cup</dt><dd>{{.Cup}}</dd></div>
<div><dt>smpmatch</dt><dd>{{.Version}}</dd></div>{{if .Shard}}<div><dt>Shard</dt><dd>{{.Shard}}</dd></div>{{end}}</dl>
</header><main>
{{end}}

{{define "client"}}<section class="client" id="client-{{.ID}}">
<div class="ch"><h2>{{.ID}}</h2><div class="dates">Photos taken: {{.Taken}}</div></div>
<div class="sub">{{.Photos}} scalp photo(s), {{.Measured}} measured, {{.Combined}} combined{{if .Failed}} · <span class="err">{{.Failed}} failed</span>{{end}}</div>
{{if .Error}}<div class="failbox">{{.Error}}</div>{{end}}
{{if or .Hair .Top}}<div class="sheet">
{{with .Hair}}<div class="big"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}<br><span class="sub">{{.Detail}}</span></div>
{{with $.Scalp}}<div class="chip scalp" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}</div>{{end}}</div>{{end}}
{{with .Target}}<div class="big target"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}<br><span class="sub">{{.Detail}}</span></div></div>{{end}}
{{with .Top}}<div class="big top"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}<br><span class="sub">predicted healed colour</span></div></div>{{end}}
{{with .Recipe}}<div class="recipe"><h3>{{.Title}}</h3><table>{{range .Lines}}<tr><td class="amt">{{.Amount}}</td><td>{{.Unit}}</td><td>{{.Name}}{{if .ML}}<div class="mld">{{.ML}} · {{.Drops}}</div>{{end}}</td></tr>{{end}}</table>
{{with .Shade}}<div class="shade">{{.}}</div>{{end}}
{{with $.Top}}<div class="de">{{.DE00}}</div>{{range .Warnings}}<div class="warn">⚠ {{.}}</div>{{end}}{{end}}
<div class="note">{{.Note}}</div></div>{{end}}
</div>{{end}}
{{if .Corrected}}<div class="pics{{if .Raw}} one{{end}}">
{{if .Raw}}<figure><img src="{{.Corrected}}" alt="photo as taken"><figcaption>Photo as taken (not colour-corrected: it could not be measured)</figcaption></figure>{{else}}
<figure><img src="{{.Corrected}}" alt="colour-corrected photo"><figcaption>Colour-corrected photo (most confident)</figcaption></figure>
{{if .Overlay}}<figure><img src="{{.Overlay}}" alt="hair and scalp mask"><figcaption>Measured: hair (magenta), scalp skin (cyan)</figcaption></figure>{{end}}
{{if .Zoom}}<figure><img src="{{.Zoom}}" alt="scalp close-up"><figcaption>Close-up, before</figcaption></figure>{{end}}
{{if .Dots}}<figure><img src="{{.Dots}}" alt="simulated SMP"><figcaption>Simulated SMP dots, top blend healed</figcaption></figure>{{end}}{{end}}
</div>{{end}}
{{range .Warnings}}<p class="warn">⚠ {{.}}</p>{{end}}
{{if .Blends}}<h4>Other blends</h4><div class="others">
{{range .Blends}}<div class="sw"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}} {{.Detail}}</div>{{.Lab}}<br>{{.DE00}}{{range .Warnings}}<div class="warn">⚠ {{.}}</div>{{end}}</div></div>{{end}}
</div>{{end}}
<h4>Photos</h4>
<table class="photos"><thead><tr><th>Photo</th><th>Taken</th><th>Role</th><th>Hair L*a*b*</th><th>Scalp L*a*b*</th><th>Hair–scalp contrast ΔE00</th><th>Conf.</th><th>Top blend for this photo</th><th>Status</th></tr></thead><tbody>
{{range .Rows}}<tr class="{{if .Failed}}failed{{else if .Odd}}odd{{else if .Low}}low{{end}}"><td>{{.Name}}{{if .Odd}} ⚠ odd{{end}}</td><td class="num">{{.Taken}}</td><td>{{.Role}}</td><td class="num">{{.Hair}}</td><td class="num">{{.Scalp}}</td><td class="num">{{.Contrast}}</td><td class="num">{{.Confidence}}{{if .Low}} low{{end}}</td><td>{{.Top}}</td><td class="st">{{.Status}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}

{{define "foot"}}</main>
<footer>Colours are CIE L*a*b* D50; swatches are their sRGB renderings, as exact as this screen's calibration. Predicted healed colours are estimates of the healed-in-skin model; the simulated dots are an illustration, not a prediction of dot size or spread.<br>
Produced by smpmatch {{.Version}} with palette {{.Palette}}; profile: {{.Profile}}{{if .Model}}; healed model: {{.Model}}{{end}}.</footer>
</body></html>
{{end}}`
