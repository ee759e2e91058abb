"""The background preload takes the imports that would otherwise hold the GIL mid-selection."""

from __future__ import annotations

import subprocess
import sys


def test_preload_imports_opencv_and_numpys_masked_arrays_in_the_background():
    code = (
        "import sys\n"
        "from desktop_editor.core.opencv import preload\n"
        "assert 'cv2' not in sys.modules and 'numpy.ma' not in sys.modules, sorted(sys.modules)\n"
        "thread = preload()\n"
        "assert thread.daemon\n"
        "thread.join(60)\n"
        "assert 'cv2' in sys.modules and 'numpy.ma' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
