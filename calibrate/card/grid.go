package card

import (
	"math"
	"sort"
)

// cell is an integer position on a lattice of patches.
type cell struct{ i, j int }

// grid is a set of quads that sit on one lattice, each with its cell.
type grid struct {
	cells map[cell]quad
}

// Lattice-building tolerances. A patch's neighbour sits one pitch away
// (pitch / patch side = 2.75 / 2.5 = 1.1 on the chart) along one of its
// edges; perspective stretches that locally, noise moves the centroids.
const (
	pitchPerSide    = PatchPitch / PatchSize
	maxAreaRatio    = 2.2  // neighbours' areas differ by at most this factor
	latticeSlack    = 0.28 // allowed deviation from integer lattice steps
	maxLatticeStep  = 2    // neighbours may skip one missing patch
	neighbourRadius = 2.6  // search radius in patch sides
)

// buildGrids groups quads into lattices by walking from patch to patch.
func buildGrids(qs []quad) []grid {
	n := len(qs)
	if n < minSquares {
		return nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	// Spatial index: sort by x for a sweep.
	sort.Slice(order, func(a, b int) bool { return qs[order[a]].c.X < qs[order[b]].c.X })
	xs := make([]float64, n)
	for k, i := range order {
		xs[k] = qs[i].c.X
	}
	neighbours := make([][]int, n)
	for k, i := range order {
		r := neighbourRadius * qs[i].side()
		lo := sort.SearchFloat64s(xs, qs[i].c.X-r)
		for m := lo; m < n && xs[m] <= qs[i].c.X+r; m++ {
			j := order[m]
			if j == i || m == k {
				continue
			}
			ratio := qs[j].area / qs[i].area
			if ratio > maxAreaRatio || ratio < 1/maxAreaRatio {
				continue
			}
			if math.Hypot(qs[j].c.X-qs[i].c.X, qs[j].c.Y-qs[i].c.Y) <= r {
				neighbours[i] = append(neighbours[i], j)
			}
		}
	}
	used := make([]bool, n)
	// Seeds with many neighbours first: they are likely inside a chart.
	seeds := make([]int, n)
	copy(seeds, order)
	sort.SliceStable(seeds, func(a, b int) bool { return len(neighbours[seeds[a]]) > len(neighbours[seeds[b]]) })
	var grids []grid
	for _, s := range seeds {
		if used[s] || len(neighbours[s]) < 2 {
			continue
		}
		g := walk(qs, neighbours, s, used)
		if len(g.cells) >= minSquares {
			grids = append(grids, g)
		}
	}
	sort.SliceStable(grids, func(a, b int) bool { return len(grids[a].cells) > len(grids[b].cells) })
	if len(grids) > 6 {
		grids = grids[:6]
	}
	return grids
}

type basis struct{ u, v Point }

// localBasis orients a quad's edges like the reference basis and scales
// them to the patch pitch.
func localBasis(q quad, ref basis) basis {
	e1, e2 := q.edges()
	e1 = Point{e1.X * pitchPerSide, e1.Y * pitchPerSide}
	e2 = Point{e2.X * pitchPerSide, e2.Y * pitchPerSide}
	cands := []Point{e1, e2}
	dot := func(a, b Point) float64 { return a.X*b.X + a.Y*b.Y }
	norm := func(a Point) float64 { return math.Hypot(a.X, a.Y) }
	cosU := func(a Point) float64 { return dot(a, ref.u) / (norm(a) * norm(ref.u)) }
	// Pick which edge runs along ref.u.
	var u, v Point
	if math.Abs(cosU(cands[0])) >= math.Abs(cosU(cands[1])) {
		u, v = cands[0], cands[1]
	} else {
		u, v = cands[1], cands[0]
	}
	if dot(u, ref.u) < 0 {
		u = Point{-u.X, -u.Y}
	}
	if dot(v, ref.v) < 0 {
		v = Point{-v.X, -v.Y}
	}
	return basis{u, v}
}

// walk grows a lattice from a seed quad, breadth first, giving each reached
// quad integer coordinates relative to the seed.
func walk(qs []quad, neighbours [][]int, seed int, used []bool) grid {
	e1, e2 := qs[seed].edges()
	b0 := localBasis(qs[seed], basis{e1, e2})
	g := grid{cells: map[cell]quad{{0, 0}: qs[seed]}}
	type item struct {
		idx int
		c   cell
		b   basis
	}
	pos := map[int]cell{seed: {0, 0}}
	queue := []item{{seed, cell{0, 0}, b0}}
	used[seed] = true
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		det := it.b.u.X*it.b.v.Y - it.b.u.Y*it.b.v.X
		if math.Abs(det) < 1e-9 {
			continue
		}
		for _, j := range neighbours[it.idx] {
			if _, seen := pos[j]; seen || used[j] {
				continue
			}
			d := Point{qs[j].c.X - qs[it.idx].c.X, qs[j].c.Y - qs[it.idx].c.Y}
			// Solve d = a·u + b·v.
			a := (d.X*it.b.v.Y - d.Y*it.b.v.X) / det
			bb := (it.b.u.X*d.Y - it.b.u.Y*d.X) / det
			ra, rb := math.Round(a), math.Round(bb)
			if math.Abs(a-ra) > latticeSlack || math.Abs(bb-rb) > latticeSlack {
				continue
			}
			if (ra == 0 && rb == 0) || math.Abs(ra) > maxLatticeStep || math.Abs(rb) > maxLatticeStep {
				continue
			}
			c := cell{it.c.i + int(ra), it.c.j + int(rb)}
			if _, taken := g.cells[c]; taken {
				continue
			}
			// Its own edges must agree with the step's directions: a
			// patch of the same grid, not a blob that happens to be there.
			nb := localBasis(qs[j], it.b)
			if !similarBasis(nb, it.b) {
				continue
			}
			g.cells[c] = qs[j]
			pos[j] = c
			used[j] = true
			queue = append(queue, item{j, c, nb})
		}
	}
	return g
}

func similarBasis(a, b basis) bool {
	ang := func(p, q Point) float64 {
		c := (p.X*q.X + p.Y*q.Y) / (math.Hypot(p.X, p.Y) * math.Hypot(q.X, q.Y))
		return math.Acos(math.Max(-1, math.Min(1, c)))
	}
	lr := func(p, q Point) float64 { return math.Hypot(p.X, p.Y) / math.Hypot(q.X, q.Y) }
	const maxTurn = 25 * math.Pi / 180
	return ang(a.u, b.u) < maxTurn && ang(a.v, b.v) < maxTurn &&
		lr(a.u, b.u) > 0.6 && lr(a.u, b.u) < 1.67 && lr(a.v, b.v) > 0.6 && lr(a.v, b.v) < 1.67
}

// hypothesis is one way of reading a grid as the chart: which cell is which
// patch.
type hypothesis struct {
	H       Homography // chart units → working pixels
	squares int
	score   float64
	valid   bool
}

// symmetry maps a window cell (a, b) of a w × h window to chart (col, row).
type symmetry func(a, b int) (col, row int)

var symmetries64 = []symmetry{
	func(a, b int) (int, int) { return a, b },
	func(a, b int) (int, int) { return Cols - 1 - a, Rows - 1 - b },
	func(a, b int) (int, int) { return Cols - 1 - a, b },
	func(a, b int) (int, int) { return a, Rows - 1 - b },
}

var symmetries46 = []symmetry{
	func(a, b int) (int, int) { return b, a },
	func(a, b int) (int, int) { return Cols - 1 - b, Rows - 1 - a },
	func(a, b int) (int, int) { return Cols - 1 - b, a },
	func(a, b int) (int, int) { return b, Rows - 1 - a },
}

// hypotheses places a 6 × 4 (or 4 × 6) window over the grid every way that
// keeps most of its quads inside, and reads each placement in the 4
// symmetries of the window: 4 rotations × mirror in all.
func (g grid) hypotheses() []hypothesis {
	imin, imax, jmin, jmax := math.MaxInt, math.MinInt, math.MaxInt, math.MinInt
	for c := range g.cells {
		imin, imax = min(imin, c.i), max(imax, c.i)
		jmin, jmax = min(jmin, c.j), max(jmax, c.j)
	}
	if imax == imin || jmax == jmin {
		return nil // a single row or column cannot fix a plane
	}
	n := len(g.cells)
	need := max(minSquares, (n*3+3)/4)
	var out []hypothesis
	for _, shape := range []struct {
		w, h int
		syms []symmetry
	}{{Cols, Rows, symmetries64}, {Rows, Cols, symmetries46}} {
		for i0 := imax - shape.w + 1; i0 <= imin; i0++ {
			for j0 := jmax - shape.h + 1; j0 <= jmin; j0++ {
				out = append(out, g.placements(i0, j0, shape.w, shape.h, shape.syms, need)...)
			}
		}
		// Grids larger than the window: slide it over them.
		if imax-imin+1 > shape.w || jmax-jmin+1 > shape.h {
			for i0 := imin; i0 <= imax-shape.w+1; i0++ {
				for j0 := jmin; j0 <= jmax-shape.h+1; j0++ {
					out = append(out, g.placements(i0, j0, shape.w, shape.h, shape.syms, minSquares)...)
				}
			}
		}
	}
	return out
}

func (g grid) placements(i0, j0, w, h int, syms []symmetry, need int) []hypothesis {
	type pair struct {
		a, b int
		q    quad
	}
	var in []pair
	for c, q := range g.cells {
		a, b := c.i-i0, c.j-j0
		if a >= 0 && a < w && b >= 0 && b < h {
			in = append(in, pair{a, b, q})
		}
	}
	if len(in) < need {
		return nil
	}
	sort.Slice(in, func(x, y int) bool {
		if in[x].b != in[y].b {
			return in[x].b < in[y].b
		}
		return in[x].a < in[y].a
	})
	var out []hypothesis
	for _, sym := range syms {
		src := make([]Point, len(in))
		dst := make([]Point, len(in))
		for k, p := range in {
			col, row := sym(p.a, p.b)
			src[k] = PatchCentre(row*Cols + col)
			dst[k] = p.q.c
		}
		h, err := FitHomography(src, dst)
		if err != nil {
			continue
		}
		out = append(out, hypothesis{H: h, squares: len(in), valid: true})
	}
	return out
}
