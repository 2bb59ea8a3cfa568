namespace Orchard.Domain;
