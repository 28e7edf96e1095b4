package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

func TestMeasureDotsRefusesAnUnknownCardSize(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"smpmatch", "measure", "--dots", "--card-size", "huge", "x.jpg"}, &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "--card-size") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestMeasureDotsPrintsTheContractFields(t *testing.T) {
	f := scene.DotField{W: 320, H: 240, Skin: colour.LabD50{L: 64, A: 12, B: 16}, Dot: colour.LabD50{L: 34, A: 0, B: -4},
		PxPerMM: 10, DiameterMM: 0.8, SpacingMM: 1.6, Blur: 0.6, Noise: 0.01, Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 1}
	img, _ := scene.RenderDots(f)
	dir := t.TempDir()
	path := filepath.Join(dir, "followup.png")
	b, err := synth.Encode(img, "png", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"smpmatch", "measure", "--dots", "--uncalibrated", "--json", "--mask-out", dir, path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"photo", "ok", "calibrated", "card", "warnings", "dots", "skin", "contrast"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, out.String())
		}
	}
	d := m["dots"].(map[string]any)
	for _, k := range []string{"lab", "spread", "count", "diameter_px", "diameter_mm", "spacing_px", "density_per_cm2"} {
		if _, ok := d[k]; !ok {
			t.Errorf("no dots.%q", k)
		}
	}
	if d["diameter_mm"] != nil || d["density_per_cm2"] != nil || d["count"].(float64) < 100 {
		t.Errorf("without a card mm and cm² must be null, and dots counted: %v", d)
	}
	s := m["skin"].(map[string]any)
	for _, k := range []string{"lab", "spread", "ita_deg"} {
		if _, ok := s[k]; !ok {
			t.Errorf("no skin.%q", k)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "followup.dots.png")); err != nil {
		t.Errorf("no mask picture: %v", err)
	}
}

// An observation's followup_photo is measured as `measure --dots` does: the
// healed colour `healed check` compares with is the dots' colour.
func TestHealedCheckMeasuresFollowupPhotosAsDots(t *testing.T) {
	f := scene.DotField{W: 320, H: 240, Skin: colour.LabD50{L: 64, A: 12, B: 16}, Dot: colour.LabD50{L: 34, A: 0, B: -4},
		PxPerMM: 10, DiameterMM: 0.8, SpacingMM: 1.6, Blur: 0.6, Noise: 0.01, Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 3}
	img, truth := scene.RenderDots(f)
	dir := t.TempDir()
	b, err := synth.Encode(img, "png", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "A"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "A", "followup.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	obs := filepath.Join(dir, "obs.csv")
	csv := "client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,followup_photo\n" +
		"A,64,12,16,black:1 water:2,12,A/followup.png\n"
	if err := os.WriteFile(obs, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"smpmatch", "healed", "check", "--uncalibrated", "--json", obs}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var res struct {
		Observations []struct {
			Measured []float64 `json:"measured_lab"`
		} `json:"observations"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Observations) != 1 {
		t.Fatalf("%v: %s", err, out.String())
	}
	m := res.Observations[0].Measured
	if len(m) != 3 {
		t.Fatalf("measured_lab %v", m)
	}
	got := colour.LabD50{L: m[0], A: m[1], B: m[2]}
	if de := colour.DeltaE00(got, truth.Dot); de > 3 {
		t.Errorf("follow-up photo measured as %v, the dots are %v: ΔE00 %.2f", got, truth.Dot, de)
	}
}
