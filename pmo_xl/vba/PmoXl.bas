Attribute VB_Name = "PmoXl"
' pmo_xl: one Sub per button. RunPython comes from the xlwings add-in, which this VBA project
' references (Tools > References > xlwings). Each Sub runs a pmo_xl entry point on this workbook.
' Source kept in the pmo_xl repository (pmo_xl/vba/PmoXl.bas): edit it there, then run
' "make templates" to rebuild the .xlsm templates.
Option Explicit

' Button "Verifier" (project workbook): checks this workbook, marks the cells at fault and
' writes the "Controles" sheet.
Public Sub Verifier()
    RunPython "import pmo_xl.excel as x; x.verifier_caller()"
End Sub

' Button "Consolider" (PMO workbook): consolidates the projects folder into this workbook.
Public Sub Consolider()
    RunPython "import pmo_xl.excel as x; x.consolider_caller()"
End Sub

' Button "Rapport COPIL" (PMO workbook): writes the COPIL sheet and exports the report.
Public Sub RapportCopil()
    RunPython "import pmo_xl.excel as x; x.rapport_copil_caller()"
End Sub
