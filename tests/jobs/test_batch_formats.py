"""A batch folder of designers' files: every kind we open is picked up, camera RAW is listed as skipped."""

import io

import cv2
import numpy as np
from PIL import Image

from colour_images import gradient
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.batch import find_images, plan_batch


def test_a_folder_of_heic_tiff_psd_avif_and_raw(tmp_path):
    import pillow_heif
    from psd_tools import PSDImage

    pillow_heif.register_heif_opener()
    Image.fromarray(gradient()).save(tmp_path / "phone.HEIC", "HEIF")
    Image.fromarray(gradient()).save(tmp_path / "web.avif", "AVIF")
    ok, tif = cv2.imencode(".tiff", gradient(bits=16))
    (tmp_path / "lightroom.tif").write_bytes(tif.tobytes())
    psd = PSDImage.frompil(Image.fromarray(gradient()))
    psd.create_pixel_layer(Image.new("RGB", (8, 8)), name="patch", top=2, left=2)
    buf = io.BytesIO()
    psd.save(buf)
    (tmp_path / "poster.psd").write_bytes(buf.getvalue())
    Image.new("RGB", (160, 120)).save(tmp_path / "DSC_0001.NEF", "TIFF")
    (tmp_path / "notes.txt").write_text("not an image")
    found = find_images(str(tmp_path))
    assert [p.name for p in found] == ["DSC_0001.NEF", "lightroom.tif", "phone.HEIC", "poster.psd", "web.avif"]
    mask = tmp_path / "mask.png"
    Image.fromarray(np.full((64, 96), 255, np.uint8)).save(mask)
    plan = plan_batch(found, EditParams(prompt="ok"), shared_mask=mask)
    problems = {item.image.name: item.problem for item in plan.items}
    assert "Nikon NEF" in problems["DSC_0001.NEF"] and "TIFF" in problems["DSC_0001.NEF"]
    assert all(problems[name] is None for name in ("lightroom.tif", "phone.HEIC", "poster.psd", "web.avif"))
    assert all(item.size == (96, 64) for item in plan.items if item.problem is None)
