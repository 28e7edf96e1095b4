package batch

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"html/template"
	"image"
	"io"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
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

type photoRow struct {
	Name, Role, Status, Hair, Scalp, Contrast, Confidence, Top string
	Failed, Low                                                bool
}

type clientView struct {
	ID                                 string
	Photos, Measured, Combined, Failed int
	Corrected, Overlay, Zoom, Dots     template.URL
	DotsInk                            string
	Inputs                             []swatch
	Blends                             []swatch
	Target                             *swatch
	Warnings                           []string
	Error                              string
	Rows                               []photoRow
}

func newReport(w io.Writer, idx Index) (*report, error) {
	r := &report{w: w, idx: idx}
	photos, clients := 0, len(idx.Clients)
	for _, c := range idx.Clients {
		photos += len(c.Photos)
	}
	head := struct {
		Index
		Clients, Photos int
	}{idx, clients, photos}
	if err := reportTmpl.ExecuteTemplate(w, "head", head); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return r, nil
}

func (r *report) finish() error {
	if err := reportTmpl.ExecuteTemplate(r.w, "foot", r.idx); err != nil {
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

func (r *report) client(st store, c ClientResult, photos []PhotoMatch, ips []IndexPhoto) error {
	v := clientView{ID: c.ClientID, Photos: c.Photos, Measured: c.Measured, Combined: c.Combined, Warnings: c.Warnings, Error: c.Error}
	for _, pm := range photos {
		row := photoRow{Name: pm.Photo, Role: pm.Role, Failed: !pm.OK}
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
	if c.Hair != nil {
		v.Inputs = append(v.Inputs, sw("Hair", *c.Hair, "measured, median of photos"), sw("Scalp", *c.Scalp, "measured, median of photos"))
	}
	if rec := c.Recommendation; rec != nil {
		t := sw("Target", rec.TargetLab, fmt.Sprintf("%s: hair as stubble on this scalp", rec.Target))
		v.Target = &t
		for i, b := range rec.Blends {
			s := sw(fmt.Sprintf("#%d", i+1), b.PredictedLab, b.Recipe)
			s.DE00 = fmt.Sprintf("ΔE00 %.2f · under tungsten %.2f", b.DE00, b.DE00InA)
			s.Warnings = b.Warnings
			v.Blends = append(v.Blends, s)
		}
	}
	if key := c.Representative; key != "" {
		var rec photoRecord
		if st.load(key, &rec) && rec.Thumbs {
			for _, im := range []struct {
				name string
				dst  *template.URL
			}{{thumbCorrected, &v.Corrected}, {thumbOverlay, &v.Overlay}, {thumbZoom, &v.Zoom}} {
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
// clinic PC without network, and print.
const reportHTML = `{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>smpmatch batch report</title>
<style>
:root{--ink:#1d2327;--muted:#5f6b73;--line:#dde2e6;--bg:#f4f5f7;--card:#fff;--warn:#9a5b00;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:#22313a;color:#fff;padding:22px 32px}
header.top h1{margin:0 0 6px;font-size:22px;font-weight:600}
header.top dl{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0;font-size:13px;color:#cfd8dc}
header.top dt{display:inline;font-weight:600;color:#fff}
header.top dd{display:inline;margin:0 0 0 6px}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}
section.client{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 22px;padding:18px 22px;break-inside:avoid}
section.client h2{margin:0;font-size:19px}
.sub{color:var(--muted);font-size:13px;margin:2px 0 12px}
.pics{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;margin:8px 0 14px}
figure{margin:0}
figure img{width:100%;height:auto;display:block;border-radius:6px;border:1px solid var(--line);background:#eee}
figcaption{font-size:12px;color:var(--muted);margin-top:4px}
.swatches{display:flex;flex-wrap:wrap;gap:10px;align-items:stretch;margin:6px 0 12px}
.sw{width:150px;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff;display:flex;flex-direction:column}
.sw .chip{height:74px}
.sw .txt{padding:6px 8px;font-size:12px;line-height:1.35;flex:1}
.sw .lbl{font-weight:600;font-size:13px}
.sw .de{font-weight:600;color:#22313a}
.sw.target{border:2px solid #22313a}
.sw.best{box-shadow:0 0 0 3px #4a8a5a}
.sep{width:1px;background:var(--line);margin:0 4px}
.warn{color:var(--warn);font-size:13px;margin:4px 0}
.err{color:var(--bad);font-weight:600}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:6px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
tr.failed td{color:var(--bad)}
tr.low td{color:var(--warn)}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 30px}
@media print{body{background:#fff}section.client{border:0;page-break-inside:avoid}}
</style></head><body>
<header class="top"><h1>smpmatch batch report</h1>
<dl><div><dt>Clients</dt><dd>{{.Clients}}</dd></div><div><dt>Photos</dt><dd>{{.Photos}}</dd></div>
<div><dt>Palette</dt><dd>{{.Palette}}</dd></div><div><dt>Profile</dt><dd>{{.Profile}}</dd></div>
<div><dt>smpmatch</dt><dd>{{.Version}}</dd></div>{{if .Shard}}<div><dt>Shard</dt><dd>{{.Shard}}</dd></div>{{end}}</dl>
</header><main>
{{end}}

{{define "client"}}<section class="client" id="client-{{.ID}}">
<h2>{{.ID}}</h2>
<div class="sub">{{.Photos}} scalp photo(s), {{.Measured}} measured, {{.Combined}} combined{{if .Failed}} · <span class="err">{{.Failed}} failed</span>{{end}}</div>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
{{if .Corrected}}<div class="pics">
<figure><img src="{{.Corrected}}" alt="colour-corrected photo"><figcaption>Colour-corrected photo (most confident)</figcaption></figure>
{{if .Overlay}}<figure><img src="{{.Overlay}}" alt="hair and scalp mask"><figcaption>Measured: hair (magenta), scalp skin (cyan)</figcaption></figure>{{end}}
{{if .Zoom}}<figure><img src="{{.Zoom}}" alt="scalp close-up"><figcaption>Close-up, before</figcaption></figure>{{end}}
{{if .Dots}}<figure><img src="{{.Dots}}" alt="simulated SMP"><figcaption>Simulated SMP dots, top blend as healed: {{.DotsInk}}</figcaption></figure>{{end}}
</div>{{end}}
{{if .Inputs}}<div class="swatches">
{{range .Inputs}}<div class="sw"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}<br><span class="sub">{{.Detail}}</span></div></div>{{end}}
{{with .Target}}<div class="sep"></div><div class="sw target"><div class="chip" style="{{.Style}}"></div><div class="txt"><div class="lbl">{{.Label}}</div>{{.Lab}}<br>{{.Hex}}<br><span class="sub">{{.Detail}}</span></div></div>{{end}}
{{range $i, $b := .Blends}}<div class="sw{{if eq $i 0}} best{{end}}"><div class="chip" style="{{$b.Style}}"></div><div class="txt"><div class="lbl">Blend {{$b.Label}} healed</div>{{$b.Detail}}<br>{{$b.Lab}}<br><span class="de">{{$b.DE00}}</span>{{range $b.Warnings}}<div class="warn">⚠ {{.}}</div>{{end}}</div></div>{{end}}
</div>{{end}}
{{range .Warnings}}<p class="warn">⚠ {{.}}</p>{{end}}
<table><thead><tr><th>Photo</th><th>Role</th><th>Hair L*a*b*</th><th>Scalp L*a*b*</th><th>ΔE00</th><th>Conf.</th><th>Top blend for this photo</th><th>Status</th></tr></thead><tbody>
{{range .Rows}}<tr class="{{if .Failed}}failed{{else if .Low}}low{{end}}"><td>{{.Name}}</td><td>{{.Role}}</td><td class="num">{{.Hair}}</td><td class="num">{{.Scalp}}</td><td class="num">{{.Contrast}}</td><td class="num">{{.Confidence}}{{if .Low}} low{{end}}</td><td>{{.Top}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}

{{define "foot"}}</main>
<footer>Colours are CIE L*a*b* D50; swatches are their sRGB renderings, as exact as this screen's calibration. Predicted healed colours are estimates of the healed-in-skin model; the simulated dots are an illustration, not a prediction of dot size or spread.<br>
Produced by smpmatch {{.Version}} with palette {{.Palette}}; profile: {{.Profile}}.</footer>
</body></html>
{{end}}`
