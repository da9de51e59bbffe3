"""Local simulated venues that speak EdgeX's and Paradex's real protocols over loopback, with fault injection.

They are the embedded default of ``pyarb run`` and what every test and benchmark runs against."""
