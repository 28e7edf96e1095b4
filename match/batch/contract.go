package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The JSON contract for integrators. Every JSON output of smpmatch
// (calibrate --json, measure --json, match --json, results.jsonl,
// clients.jsonl) passes through ContractJSON, which keeps every field and
// its order and makes three promises the structs alone do not:
//
//   - A part that was not measured is null, not zeros: a hair or scalp
//     with "found": false has "lab" and "spread" null (and the scalp
//     "ita_deg"); "contrast" is null unless both were found; a failed
//     measurement ("ok": false) has hair, scalp, contrast and confidence
//     null.
//   - "warnings" and "flags" are always arrays; "low_confidence" agrees
//     with "confidence" (true exactly when confidence < 0.5 or null).
//   - Numbers are rounded to what they mean: L*a*b* and ΔL*/ΔC* to 0.01,
//     ΔE00 (and a colour's ΔE00 spread) to 0.01, camera RGB to 0.0001,
//     degrees to 0.1, pixel positions to 0.1, ratios to 0.01, shares 0..1
//     to 0.001, millilitres (a recipe in bottles) to 0.001 and shade
//     numbers to 0.01. (L*a*b* arrive rounded to 0.001 by colour.LabD50's own
//     JSON, so a value within 0.0005 of a half-step may round up where a
//     single rounding would round down: at most 0.0055 from the exact
//     value instead of 0.005.)
//
// The JSON Schemas of the outputs are published in match/batch/schema.

// WriteContractJSON writes v as one line of contract JSON.
func WriteContractJSON(w io.Writer, v any) error {
	b, err := ContractJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ContractJSON marshals v and applies the contract's rules (see above).
func ContractJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	n.clean()
	var buf bytes.Buffer
	n.write(&buf, roundNone)
	return buf.Bytes(), nil
}

// node is a JSON value that keeps its object keys in order.
type node struct {
	kind byte // '{', '[', 'n' number, 's' string, 'b' bool, '0' null
	keys []string
	vals []*node
	num  json.Number
	str  string
	b    bool
}

func parseNode(dec *json.Decoder) (*node, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		n := &node{kind: byte(t)}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := parseNode(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return n, nil
	case json.Number:
		return &node{kind: 'n', num: t}, nil
	case string:
		return &node{kind: 's', str: t}, nil
	case bool:
		return &node{kind: 'b', b: t}, nil
	case nil:
		return &node{kind: '0'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", t)
}

var null = &node{kind: '0'}

func (n *node) get(k string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i, kk := range n.keys {
		if kk == k {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) set(k string, v *node) {
	for i, kk := range n.keys {
		if kk == k {
			n.vals[i] = v
			return
		}
	}
}

func (n *node) isFalse() bool { return n != nil && n.kind == 'b' && !n.b }
func (n *node) isNull() bool  { return n == nil || n.kind == '0' }

// clean applies the null and consistency rules, depth first.
func (n *node) clean() {
	for _, v := range n.vals {
		v.clean()
	}
	if n.kind != '{' {
		return
	}
	for _, k := range []string{"warnings", "flags"} {
		if v := n.get(k); v != nil && v.kind == '0' {
			n.set(k, &node{kind: '['})
		}
	}
	// A hair or scalp that was not found.
	if n.get("found").isFalse() {
		for _, k := range []string{"lab", "spread", "ita_deg"} {
			n.set(k, null)
		}
	}
	// A measurement: hair, scalp and contrast side by side.
	hair, scalp := n.get("hair"), n.get("scalp")
	if hair != nil && scalp != nil && n.get("contrast") != nil {
		if n.get("ok").isFalse() {
			n.set("hair", null)
			n.set("scalp", null)
			n.set("confidence", null)
			hair, scalp = nil, nil
		}
		if hair.isNull() || scalp.isNull() || hair.get("found").isFalse() || scalp.get("found").isFalse() {
			n.set("contrast", null)
		}
	}
	// A client's combined contrast without combined colours.
	if h, s := n.get("hair_lab"), n.get("scalp_lab"); (h != nil && h.isNull()) || (s != nil && s.isNull()) {
		for _, k := range []string{"contrast_de00", "contrast_dl", "contrast_ratio"} {
			n.set(k, null)
		}
	}
	// low_confidence agrees with confidence once rounded: a low
	// confidence is rounded down, so that 0.498 does not print as 0.5.
	if lc := n.get("low_confidence"); lc != nil && lc.kind == 'b' {
		c := n.get("confidence")
		switch {
		case c.isNull():
			lc.b = true
		case c.kind == 'n':
			f, err := c.num.Float64()
			if err == nil {
				r := math.Round(f*100) / 100
				if lc.b && r >= 0.5 {
					r = math.Floor(f*100) / 100
				}
				lc.b = r < 0.5
				c.num = json.Number(strconv.FormatFloat(r, 'f', -1, 64))
			}
		}
	}
}

// Rounding steps by meaning.
const (
	roundNone  = 0.0
	roundLab   = 0.01
	roundDE    = 0.01
	roundRGB   = 0.0001
	roundDeg   = 0.1
	roundPx    = 0.1
	roundRatio = 0.01
	roundShare = 0.001
	roundML    = 0.001
	roundShade = 0.01
)

// roundFor is the rounding step of a key's numbers; parent is the step of
// the enclosing value (arrays of arrays keep it) and rgbObject is true
// inside an object that has camera "rgb" (its "spread" is RGB).
func roundFor(key string, parent float64, rgbObject bool) float64 {
	k := strings.ToLower(key)
	switch {
	case k == "rgb", k == "spread" && rgbObject:
		return roundRGB
	case k == "lab" || strings.HasSuffix(k, "_lab") || k == "healed_in_a":
		return roundLab
	case strings.Contains(k, "de00"), k == "spread":
		return roundDE
	case k == "dl", k == "dc", strings.HasSuffix(k, "_dl"), strings.HasSuffix(k, "_dc"):
		return roundLab
	case strings.HasSuffix(k, "_deg"), k == "dh":
		return roundDeg
	case k == "corners", strings.HasSuffix(k, "_px"):
		return roundPx
	case k == "ratio", strings.HasSuffix(k, "_ratio"), k == "confidence":
		return roundRatio
	case k == "fraction", k == "stubble_coverage", k == "detect_score":
		return roundShare
	case k == "ml", strings.HasSuffix(k, "_ml"):
		return roundML
	case k == "shade":
		return roundShade
	}
	return parent
}

func (n *node) write(buf *bytes.Buffer, step float64) {
	switch n.kind {
	case '{':
		buf.WriteByte('{')
		rgb := n.get("rgb") != nil
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			n.vals[i].write(buf, roundFor(k, roundNone, rgb))
		}
		buf.WriteByte('}')
	case '[':
		buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			v.write(buf, step)
		}
		buf.WriteByte(']')
	case 'n':
		s := string(n.num)
		if step > 0 && strings.ContainsAny(s, ".eE") {
			if f, err := n.num.Float64(); err == nil {
				r := math.Round(f/step) * step
				// Print the decimal the step means, not its binary
				// neighbour (0.1*3 = 0.30000000000000004).
				dec := max(0, int(math.Round(-math.Log10(step))))
				s = strconv.FormatFloat(r, 'f', dec, 64)
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
				if s == "-0" || s == "" {
					s = "0"
				}
			}
		}
		buf.WriteString(s)
	case 's':
		b, _ := json.Marshal(n.str)
		buf.Write(b)
	case 'b':
		buf.WriteString(strconv.FormatBool(n.b))
	default:
		buf.WriteString("null")
	}
}
