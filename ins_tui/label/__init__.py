"""Patient labels: the traits in the order the rules give, and the INS datamatrix.

An output adapter beside `insi/`: it turns one identity into a PDF (`pdf.py`, sizes in
`sizes.py`, what is written in `content.py`, the ECC200 symbol in `symbol.py`) and hands
the PDF to CUPS or to a private folder (`printing.py`). It imports the domain only; the
desk (`desk/labels.py`) reads the patient and calls it.
"""
