using System.Text;

namespace BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

internal enum TokenKind { Identifier, String, Integer, OpenParen, CloseParen, OpenBracket, CloseBracket, Comma, Dot, Question, End }

internal readonly record struct Token(TokenKind Kind, string Text, int Position);

/// <summary>Splits an expression into tokens: identifiers, 'strings' ('' escapes a quote), integers and punctuation.</summary>
internal static class ExpressionLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            switch (c)
            {
                case '(': tokens.Add(new(TokenKind.OpenParen, "(", i++)); continue;
                case ')': tokens.Add(new(TokenKind.CloseParen, ")", i++)); continue;
                case '[': tokens.Add(new(TokenKind.OpenBracket, "[", i++)); continue;
                case ']': tokens.Add(new(TokenKind.CloseBracket, "]", i++)); continue;
                case ',': tokens.Add(new(TokenKind.Comma, ",", i++)); continue;
                case '.': tokens.Add(new(TokenKind.Dot, ".", i++)); continue;
                case '?': tokens.Add(new(TokenKind.Question, "?", i++)); continue;
                case '\'': tokens.Add(new(TokenKind.String, ReadString(text, ref i), start)); continue;
            }
            if (char.IsDigit(c) || (c is '-' or '+' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && char.IsDigit(text[i])) i++;
                tokens.Add(new(TokenKind.Integer, text[start..i], start));
                continue;
            }
            if (char.IsLetter(c) || c is '_' or '$')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$')) i++;
                tokens.Add(new(TokenKind.Identifier, text[start..i], start));
                continue;
            }
            throw TemplateException.Invalid($"The language expression '{text}' is not valid: the character '{c}' at position '{i}' is not expected.");
        }
        tokens.Add(new(TokenKind.End, "", text.Length));
        return tokens;
    }

    private static string ReadString(string text, ref int i)
    {
        var sb = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length)
                throw TemplateException.Invalid($"The language expression '{text}' is not valid: the string literal is not terminated.");
            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                i++;
                return sb.ToString();
            }
            sb.Append(text[i++]);
        }
    }
}
