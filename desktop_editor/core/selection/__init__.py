"""Smart selection: masks made from the photo's own content, offline, with OpenCV.

Everything here is pure image code (no Qt, no HTTP) shared by the canvas tools, the `mask`
command and `batch --auto-mask`. Photos are RGB uint8 arrays (H, W, 3); masks are in the core
form (uint8 (H, W), 255 = edit). OpenCV's calls release the GIL, so these run on workers beside
the window without freezing it.

- `wand`: magic wand and select by colour range, with an anti-aliased edge.
- `select_object`: GrabCut on a reduced copy, then the edge refined at full resolution.
- `candidates`: which of several GrabCut readings of a box to keep (box tightness, colour separation).
- `subject`: select subject and click-to-select (a box found first, then select object).
- `refine`: snaps a mask's soft edge to the photo's edges (guided filter), whole mask or brush.
- `guided`: the guided filter itself, evaluated at full resolution only where it is needed.
- `boxes`: boxes given in pixels or percentages, checked against the image.
- `recipe`: a chain of those steps, as the command line spells it.
"""
