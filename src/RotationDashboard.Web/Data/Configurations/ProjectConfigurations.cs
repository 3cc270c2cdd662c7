using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RotationDashboard.Core.Projects;

namespace RotationDashboard.Web.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("projects");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Name).HasMaxLength(Project.MaxNameLength);
        builder.Property(p => p.Slug).HasMaxLength(64);
        builder.HasIndex(p => p.Slug).IsUnique();
    }
}

internal sealed class ProjectEnvironmentConfiguration : IEntityTypeConfiguration<ProjectEnvironment>
{
    public void Configure(EntityTypeBuilder<ProjectEnvironment> builder)
    {
        builder.ToTable("environments");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Slug).HasMaxLength(64);
        builder.Property(e => e.Name).HasMaxLength(ProjectEnvironment.MaxNameLength);
        builder.HasOne<Project>().WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.ProjectId, e.Slug }).IsUnique();
    }
}

internal sealed class FolderConfiguration : IEntityTypeConfiguration<Folder>
{
    public void Configure(EntityTypeBuilder<Folder> builder)
    {
        builder.ToTable("folders");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.Path).HasMaxLength(FolderPath.MaxLength);
        builder.Ignore(f => f.IsRoot);
        builder.Ignore(f => f.Name);
        builder.HasOne<ProjectEnvironment>().WithMany().HasForeignKey(f => f.EnvironmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.EnvironmentId, f.Path }).IsUnique();
    }
}
