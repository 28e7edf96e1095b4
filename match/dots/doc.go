// Package dots measures healed scalp micropigmentation (SMP) dots in a
// follow-up photo: their colour (L*a*b* D50), count, size, spacing and
// density, and the skin between them — what `smpmatch measure --dots`
// reports, and what a practitioner's healed results are fitted from.
//
// The photo is corrected exactly as measure corrects it (measure.Prepare:
// session profile, else the card in the photo, else sRGB when allowed), at
// a working size of up to DefaultWorkSide pixels. Then, in linear light:
//
//  1. Dots. The contrast of each pixel against the local skin (a grey
//     closing of the luminance, which removes everything darker and smaller
//     than three dots) is opened with a disc a little thinner than a dot:
//     hair stubble, thinner than the disc, is gone, dots keep their shape.
//     Its local maxima, with round half-peak level sets (elongation ≤ 1.6,
//     fill ≥ 0.75) and a contrast near the typical dot's, are dots. The
//     typical dot size is found in a first pass.
//  2. Blur and size. A photographed dot is a disc blurred by a Gaussian.
//     One blur σ is fitted to the profiles of many dots at once (each dot's
//     radius and contrast fitted under it); each dot's radius is then
//     fitted to its own profile. See blurdisc.go for the model: the centre
//     of a disc of radius r under blur σ is only 1 − exp(−r²/2σ²) dot.
//  3. Colour. Given the geometry, the photo around a dot is the skin with
//     each nearby dot's blurred disc mixed in: skin and dot colours are a
//     linear least-squares fit to the pixels, per channel, refitted without
//     pixels far darker than the model (stubble). JPEG's chroma subsampling
//     blurs colour more than light; the colour-difference channels are
//     fitted with that wider blur. Each dot is relit to the best-lit skin
//     (the head's shading); the dots' colour is the median of the half the
//     model explains best.
//  4. Counting. A dot counts when it lies wholly inside the photo (and the
//     ROI and mask), clear of the card (its outline grown by 1.5 patch
//     pitches) and on skin-coloured skin. Density is the count over the
//     area where a counted dot's centre may lie.
//
// Scale. The card detector measures the patch pitch in pixels; every card
// with the Classic layout (Classic, Mini, Passport's classic page) looks
// the same to it, so the card's size is an option: "classic" (40 mm
// patches) by default, "passport" (12 mm), or a patch size in mm (PlantCV's
// card table; see ClassicPatchMM). Results say which card was assumed, and
// warn when the dots' size in mm is implausible for SMP.
//
// Limits: dots smaller than about twice the blur cannot tell size from
// blur; their colour is then wrong and flagged (core coverage under 0.75);
// dense dark stubble crossing most dots biases their colour towards the
// hair; confluent (bled) dots are not counted.
package dots
