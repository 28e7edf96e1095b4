package recipe

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/palettes"
)

// BenchmarkRecommend times a full recommendation (spectral recovery of hair
// and scalp, healed-skin solve, exhaustive search, reporting) on the 12-pigment
// reference palette with the defaults: at most 3 pigments, at most 10 parts.
func BenchmarkRecommend(b *testing.B) {
	p, err := palettes.Builtin(palettes.DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(p)
	if err != nil {
		b.Fatal(err)
	}
	hair := colour.LabD50{L: 22, A: 3, B: 4}
	scalp := colour.LabD50{L: 64, A: 9, B: 15}
	var res Result
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPUTime()
	for i := 0; i < b.N; i++ {
		res, err = r.Recommend(hair, scalp, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := processCPUTime() - cpu0
	ms := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1e6
	b.ReportMetric(ms, "ms/op")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(res.Search.Recipes), "recipes/op")
	b.ReportMetric(float64(res.Search.Scored)/float64(res.Search.Recipes), "scored-fraction")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(res.Search.Recipes), "ns/recipe")
}

// BenchmarkNew times preparing the palette (one spectral recovery per neat
// pigment), which a caller does once per palette.
func BenchmarkNew(b *testing.B) {
	p, err := palettes.Builtin(palettes.DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := New(p); err != nil {
			b.Fatal(err)
		}
	}
}
