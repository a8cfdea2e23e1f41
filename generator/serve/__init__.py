"""`handouts serve`: a local web page to pick, personalise and print handouts.

`guard.py` keeps the server to this computer and to its own forms (Host,
cross-site requests, headers); `pages.py` is the library and handout pages;
`printing.py` makes a PDF in memory, with the layout engine loaded once.
"""
