Attribute VB_Name = "DvkRibbon"
' The "Dan van kheo" ribbon tab: ONE callback for every button.
'
' A button's tag is "action|ask|title": the Python action to run (dvk_xl/shells/ribbon.py, ACTIONS),
' what to ask the user first ("" nothing, "folder" one folder, "files" Excel files) and the title
' of that dialog. Adding a button means adding it to customUI14.xml and to ACTIONS in Python;
' this module does not change.
'
' The choice reaches Python through a UTF-16 temporary file whose path is passed as hex digits:
' Vietnamese names, spaces, quotes, "&", "^" and "%" all survive cmd.exe, and a long list of
' files does not hit its 8191-character limit. Every text the user reads comes from Python or
' from the ribbon XML, so this source stays ASCII (its messages are \u-escaped).
Option Explicit

Private Const PICK_FILES As Long = 3     ' msoFileDialogFilePicker
Private Const PICK_FOLDER As Long = 4    ' msoFileDialogFolderPicker
Private Const TAB_TITLE As String = "D\u00e2n v\u1eadn kh\u00e9o"
Private Const NO_PYTHON As String = "Kh\u00f4ng t\u00ecm th\u1ea5y Python c\u1ee7a thanh c\u00f4ng c\u1ee5: t\u1ec7p c\u1ea5u h\u00ecnh %USERPROFILE%\.DanVanKheo\DanVanKheo.conf tr\u1ecf t\u1edbi m\u1ed9t Python kh\u00f4ng c\u00f2n tr\u00ean m\u00e1y. \u0110\u00f3ng Excel, ch\u1ea1y l\u1ea1i CaiDat.cmd (ho\u1eb7c \u201cdvk install-addin\u201d) r\u1ed3i m\u1edf l\u1ea1i Excel."
Private Const NO_MASTER As String = "H\u00e3y m\u1edf s\u1ed5 t\u1ed5ng h\u1ee3p (SoTongHop_DVK_<n\u0103m>.xlsx) r\u1ed3i b\u1ea5m l\u1ea1i n\u00fat tr\u00ean thanh \u201cD\u00e2n v\u1eadn kh\u00e9o\u201d."

Public Sub DvkOnAction(control As IRibbonControl)
    Dim parts() As String, action As String, ask As String, title As String
    Dim chosen As String, listFile As String

    If control.Tag = "" Then Exit Sub    ' a button without a tag has no action
    parts = Split(control.Tag, "|")
    action = parts(0)
    If UBound(parts) >= 1 Then ask = parts(1)
    If UBound(parts) >= 2 Then title = parts(2)

    If ActiveWorkbook Is Nothing Then
        MsgBox Unescape(NO_MASTER), vbExclamation, Unescape(TAB_TITLE)
        Exit Sub
    End If
    If Not PythonFound() Then
        MsgBox Unescape(NO_PYTHON), vbCritical, Unescape(TAB_TITLE)
        Exit Sub
    End If

    Select Case ask
        Case "folder"
            chosen = PickFolder(title)
            If chosen = "" Then Exit Sub    ' cancelled
        Case "files"
            chosen = PickFiles(title)
            If chosen = "" Then Exit Sub
    End Select
    If chosen <> "" Then listFile = WriteChoice(chosen)

    RunPython "import dvk_xl.shells.ribbon; dvk_xl.shells.ribbon.dispatch('" & action & "', '" & HexUtf16(listFile) & "')"
End Sub

Private Function PythonFound() As Boolean
    ' The Python xlwings will start for RunPython exists (INTERPRETER_WIN, read by xlwings' own GetConfig, late
    ' bound), so that a moved or removed Python is a Vietnamese message and not xlwings' English error.
    ' No setting, or "python"/"pythonw" (the PATH, a manual install), cannot be checked here: it is let through.
    Dim python As String
    On Error Resume Next
    python = Application.Run("'" & ThisWorkbook.Name & "'!GetConfig", "INTERPRETER_WIN", "")
    On Error GoTo 0
    Select Case LCase$(python)
        Case "", "python", "pythonw", "python.exe", "pythonw.exe"
            PythonFound = True
        Case Else
            PythonFound = CreateObject("Scripting.FileSystemObject").FileExists(python)
    End Select
End Function

Private Function StartFolder() As String
    ' Dialogs open in the master's folder (empty for a workbook never saved or kept online).
    If ActiveWorkbook.Path <> "" And InStr(ActiveWorkbook.Path, "://") = 0 Then
        StartFolder = ActiveWorkbook.Path & Application.PathSeparator
    End If
End Function

Private Function PickFolder(ByVal title As String) As String
    With Application.FileDialog(PICK_FOLDER)
        .Title = title
        .AllowMultiSelect = False
        .InitialFileName = StartFolder()
        If .Show = -1 Then PickFolder = .SelectedItems(1)
    End With
End Function

Private Function PickFiles(ByVal title As String) As String
    Dim i As Long, chosen As String
    With Application.FileDialog(PICK_FILES)
        .Title = title
        .AllowMultiSelect = True
        .InitialFileName = StartFolder()
        .Filters.Clear
        .Filters.Add "Excel", "*.xlsx;*.xlsm;*.xls"
        If .Show = -1 Then
            For i = 1 To .SelectedItems.Count
                If i > 1 Then chosen = chosen & vbLf
                chosen = chosen & .SelectedItems(i)
            Next i
        End If
    End With
    PickFiles = chosen
End Function

Private Function WriteChoice(ByVal chosen As String) As String
    ' One path per line in a UTF-16 file in %TEMP%; Python reads it and deletes it.
    Dim fso As Object, stream As Object, listFile As String
    Set fso = CreateObject("Scripting.FileSystemObject")
    listFile = fso.BuildPath(fso.GetSpecialFolder(2), "dvk_" & fso.GetTempName())
    Set stream = fso.CreateTextFile(listFile, True, True)
    stream.Write chosen
    stream.Close
    WriteChoice = listFile
End Function

Private Function HexUtf16(ByVal s As String) As String
    ' Four hex digits per UTF-16 code unit: only 0-9 and A-F go through the command line.
    Dim i As Long, digits As String
    For i = 1 To Len(s)
        digits = digits & Right$("000" & Hex$(AscW(Mid$(s, i, 1)) And &HFFFF&), 4)
    Next i
    HexUtf16 = digits
End Function

Private Function Unescape(ByVal s As String) As String
    ' "\u1ea1" -> the character U+1EA1, so that Vietnamese text can live in an ASCII source.
    Dim i As Long, out As String
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            out = out & ChrW(CLng("&H" & Mid$(s, i + 2, 4)))
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    Unescape = out
End Function
