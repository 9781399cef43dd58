using System.Text.Json.Nodes;

namespace BackupControlPlane.Api.Features.Deployments.Templates.Expressions;

/// <summary>The syntax tree of one template language expression (the text between <c>[</c> and <c>]</c>).</summary>
public abstract record Expression(int Position);

/// <summary>A string or integer literal.</summary>
public sealed record LiteralExpression(JsonNode? Value, int Position) : Expression(Position);

/// <summary><c>name(args)</c> or <c>namespace.name(args)</c> (user-defined functions).</summary>
public sealed record CallExpression(string Name, IReadOnlyList<Expression> Arguments, int Position) : Expression(Position);

/// <summary><c>target.name</c>, or <c>target.?name</c> which answers null when the property is missing.</summary>
public sealed record MemberExpression(Expression Target, string Name, bool Safe, int Position) : Expression(Position);

/// <summary><c>target[index]</c>, or <c>target[?index]</c> which answers null when it is missing.</summary>
public sealed record IndexExpression(Expression Target, Expression Index, bool Safe, int Position) : Expression(Position);
