"""Build synthetic binary inputs (DOCX, XLSX, PDF, DICOM, ZIP) in memory for the tests.

Synthetic data only; the same made-up patient as the text golden files.
"""

from __future__ import annotations

import io
import zipfile

NAME_LINE = "Patient : Mme Nathalie ROUSSEL, née le 01/01/1990"
NIR_LINE = "NIR 2 90 01 75 056 023 23 - Tél. 01 23 45 67 89"


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Compte rendu")
    document.add_paragraph(NAME_LINE)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "NIR"
    table.rows[0].cells[1].text = "290017505602323"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Patients"
    sheet.append(["nom", "prenom", "nir", "date_naissance", "commentaire"])
    sheet.append(["ROUSSEL", "Nathalie", "290017505602323", "1990-01-01", "RAS"])
    sheet.append(
        ["DURAND", "Paul", "262026938701293", "1962-12-12", "vu par le Dr Claire Fontaine"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf_bytes(lines: tuple[str, ...] = (NAME_LINE, NIR_LINE)) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, WinAnsi), written by hand."""
    ops = ["BT", "/F1 11 Tf", "50 780 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def dicom_bytes() -> bytes:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.filewriter import dcmwrite
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "1.2.3.4.5.6.7.8.9"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "ROUSSEL^Nathalie"
    ds.PatientID = "7712346"
    ds.PatientBirthDate = "19900101"
    ds.PatientSex = "F"
    ds.ReferringPhysicianName = "FONTAINE^Claire"
    ds.StudyDate = "20240214"
    ds.InstitutionName = "CH Testville"
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["fixed"])
    ds.Rows = ds.Columns = 2
    ds.BitsAllocated = 8
    ds.PixelData = b"\x00\x01\x02\x03"
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def nested_zip_bytes() -> bytes:
    inner = zip_bytes({"export.csv": b"nom;prenom;nir\nROUSSEL;Nathalie;290017505602323\n"})
    return zip_bytes({"notes/note.txt": NAME_LINE.encode(), "inner.zip": inner})


BINARY_CASES = {
    "report.docx": docx_bytes,
    "patients.xlsx": xlsx_bytes,
    "scan.pdf": pdf_bytes,
    "image.dcm": dicom_bytes,
    "bundle.zip": nested_zip_bytes,
}
