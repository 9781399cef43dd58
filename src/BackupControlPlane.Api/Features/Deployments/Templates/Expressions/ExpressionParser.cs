using System.Globalization;
using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

/// <summary>
/// Parses template strings. A JSON string <c>"[expr]"</c> is an expression; <c>"[[…"</c> is the literal text <c>"[…"</c>;
/// anything else is a plain string. Grammar: <c>call (('.' | '.?') name | '[' '?'? expr ']')*</c>.
/// </summary>
public static class ExpressionParser
{
    /// <summary>True when <paramref name="value"/> is an expression (not an escaped <c>[[</c> literal).</summary>
    public static bool IsExpression(string value) =>
        value.Length >= 2 && value[0] == '[' && value[^1] == ']' && value[1] != '[';

    /// <summary>The literal text of a non-expression string (<c>[[x]</c> → <c>[x]</c>).</summary>
    public static string Unescape(string value) =>
        value.Length >= 2 && value[0] == '[' && value[1] == '[' && value[^1] == ']' ? value[1..] : value;

    public static Expression Parse(string expressionText)
    {
        var parser = new Cursor(expressionText, ExpressionLexer.Tokenize(expressionText));
        var result = parser.ParseExpression();
        parser.Expect(TokenKind.End, "the end of the expression");
        return result;
    }

    private sealed class Cursor(string text, List<Token> tokens)
    {
        private int _index;
        private Token Current => tokens[_index];
        private Token Peek(int ahead) => tokens[Math.Min(_index + ahead, tokens.Count - 1)];

        public Token Expect(TokenKind kind, string what)
        {
            if (Current.Kind != kind)
                throw TemplateException.Invalid(
                    $"The language expression '{text}' is not valid: expected {what} at position '{Current.Position}' but found '{Current.Text}'.");
            return tokens[_index++];
        }

        public Expression ParseExpression()
        {
            var result = ParsePrimary();
            while (true)
            {
                if (Current.Kind == TokenKind.Dot)
                {
                    var position = Current.Position;
                    _index++;
                    var safe = Current.Kind == TokenKind.Question;
                    if (safe) _index++;
                    var name = Expect(TokenKind.Identifier, "a property name");
                    result = new MemberExpression(result, name.Text, safe, position);
                }
                else if (Current.Kind == TokenKind.OpenBracket)
                {
                    var position = Current.Position;
                    _index++;
                    var safe = Current.Kind == TokenKind.Question;
                    if (safe) _index++;
                    var index = ParseExpression();
                    Expect(TokenKind.CloseBracket, "']'");
                    result = new IndexExpression(result, index, safe, position);
                }
                else return result;
            }
        }

        private Expression ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.String:
                    _index++;
                    return new LiteralExpression(JsonValue.Create(token.Text), token.Position);
                case TokenKind.Integer:
                    _index++;
                    if (!long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                        throw TemplateException.Invalid($"The language expression '{text}' is not valid: the integer '{token.Text}' is out of range.");
                    return new LiteralExpression(JsonValue.Create(number), token.Position);
                case TokenKind.Identifier:
                    _index++;
                    var name = token.Text;
                    if (Current.Kind == TokenKind.Dot && Peek(1).Kind == TokenKind.Identifier && Peek(2).Kind == TokenKind.OpenParen)
                    {
                        _index++;
                        name += "." + tokens[_index++].Text;
                    }
                    Expect(TokenKind.OpenParen, $"'(' after the function name '{name}'");
                    var args = new List<Expression>();
                    if (Current.Kind != TokenKind.CloseParen)
                    {
                        args.Add(ParseExpression());
                        while (Current.Kind == TokenKind.Comma) { _index++; args.Add(ParseExpression()); }
                    }
                    Expect(TokenKind.CloseParen, "')' or ','");
                    return new CallExpression(name, args, token.Position);
                default:
                    throw TemplateException.Invalid(
                        $"The language expression '{text}' is not valid: expected a function call or a literal at position '{token.Position}' but found '{token.Text}'.");
            }
        }
    }
}
